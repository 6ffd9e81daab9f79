public import RedisClient
import Synchronization

/// Where the bots' run-time settings live, shared by every instance.
///
/// Every change bumps the bot's version (the field ``versionField``), so an
/// instance never takes a read that started before its own change for newer.
public protocol AdminSettingsStore: Sendable {
    /// `bot`'s stored fields (``AdminSetting`` raw values to values, and ``versionField``).
    func fields(of bot: BotID) async throws -> [String: String]
    /// Sets `setting` of `bot` to `value`, or clears it when nil; returns
    /// the value it replaced, read in the same atomic step so two admins'
    /// changes audit as before → after in the order they landed, and the
    /// bot's version after the change.
    func set(_ setting: AdminSetting, to value: String?, bot: BotID) async throws -> (before: String?, version: Int)
    /// Whether `user` is to be told about maintenance now: true once per `window` per user.
    func claimMaintenanceNotice(user: Int64, bot: BotID, window: Duration) async throws -> Bool
}

/// Settings in a Redis hash per bot (`{p:b}:settings`), so every instance
/// reads the same ones; the maintenance notice marker is a key with an
/// expiry under the user's tag.
public struct RedisAdminSettingsStore: AdminSettingsStore {
    private let client: RedisClient
    private let keys: RedisKeyspace

    /// Creates a store on `client` under `keyPrefix` (`REDIS_KEY_PREFIX`).
    public init(client: RedisClient, keyPrefix: String) {
        self.client = client
        self.keys = RedisKeyspace(prefix: keyPrefix)
    }

    /// KEYS: the settings hash. ARGV: field, value ('' with ARGV[3] = '0'
    /// clears it), whether to set, the version field. Returns the old value
    /// (false when unset) and the new version.
    private static let swap = RedisScript("""
        local old = redis.call('HGET', KEYS[1], ARGV[1])
        if ARGV[3] == '1' then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) else redis.call('HDEL', KEYS[1], ARGV[1]) end
        return {old, redis.call('HINCRBY', KEYS[1], ARGV[4], 1)}
        """)

    public func fields(of bot: BotID) async throws -> [String: String] {
        try await self.client.send(["HGETALL", .string(self.keys.bot(bot).settings)]).fields
    }

    public func set(_ setting: AdminSetting, to value: String?, bot: BotID) async throws -> (before: String?, version: Int) {
        let reply = try await self.client.evaluate(
            Self.swap,
            keys: [.string(self.keys.bot(bot).settings)],
            arguments: [.string(setting.rawValue), .string(value ?? ""), value == nil ? "0" : "1", .string(AdminSettings.versionField)]
        )
        let parts = reply.array ?? []
        // Lua's false (an unset field) arrives as a null.
        return (parts.first?.string, parts.dropFirst().first?.int ?? 0)
    }

    public func claimMaintenanceNotice(user: Int64, bot: BotID, window: Duration) async throws -> Bool {
        let reply = try await self.client.send([
            "SET", .string(self.keys.user(user, of: bot).maintenanceNotice), "1", "NX", "PX", .integer(window.redisMilliseconds),
        ])
        return !reply.isNull
    }
}

/// Settings in this process's memory, where no Redis is configured (the sandbox).
public final class InMemoryAdminSettingsStore: AdminSettingsStore {
    private struct Stored {
        var fields: [BotID: [String: String]] = [:]
        var noticed: [BotID: [Int64: ContinuousClock.Instant]] = [:]
    }

    private let stored = Mutex(Stored())

    /// Creates an empty store.
    public init() {}

    public func fields(of bot: BotID) async throws -> [String: String] {
        self.stored.withLock { $0.fields[bot] ?? [:] }
    }

    public func set(_ setting: AdminSetting, to value: String?, bot: BotID) async throws -> (before: String?, version: Int) {
        self.stored.withLock { stored in
            let old = stored.fields[bot]?[setting.rawValue]
            stored.fields[bot, default: [:]][setting.rawValue] = value
            let version = (stored.fields[bot]?[AdminSettings.versionField].flatMap { Int($0) } ?? 0) + 1
            stored.fields[bot]?[AdminSettings.versionField] = String(version)
            return (old, version)
        }
    }

    public func claimMaintenanceNotice(user: Int64, bot: BotID, window: Duration) async throws -> Bool {
        let now = ContinuousClock.now
        return self.stored.withLock { stored in
            if let last = stored.noticed[bot]?[user], now - last < window { return false }
            stored.noticed[bot, default: [:]][user] = now
            return true
        }
    }
}
