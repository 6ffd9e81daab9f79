import Foundation
import Persistence
public import RedisClient

/// Broadcasts in Redis, every key under the bot's hash tag `{p:b}` so each
/// script touches one slot:
///
/// - `{p:b}:bc:next` — the last broadcast number given.
/// - `{p:b}:bc:<id>` — hash: the broadcast (status, content, audience,
///   counters, cursor, admin chat and language, progress message, times).
/// - `{p:b}:bc:<id>:to` — list: the recipients resolved at Confirm, in order.
/// - `{p:b}:bc:<id>:out` — hash: recipient → outcome (`s:<message_id>`, `b`
///   blocked, `f:<reason>`).
/// - `{p:b}:bc:<id>:flight` — set: recipients handed to the sender and not
///   yet recorded; what a takeover sends again.
/// - `{p:b}:bc:queue` — list: the broadcasts not finished, oldest first;
///   only the head is sent.
/// - `{p:b}:bc:lease` — the instance sending the head, `instance|random`, with `PX`.
///
/// A finished broadcast's keys expire after ``retention``.
public struct RedisBroadcastStore: Sendable {
    /// How long a finished broadcast's record and outcomes are kept.
    public static let retention: Duration = .seconds(30 * 24 * 3600)

    let client: RedisClient
    private let prefix: String

    /// Creates a store on `client` under `keyPrefix` (`REDIS_KEY_PREFIX`).
    public init(client: RedisClient, keyPrefix: String) {
        self.client = client
        self.prefix = keyPrefix
    }

    struct Keys {
        let next: String
        let queue: String
        let lease: String
        let tag: String

        func record(_ id: Int) -> String { "\(self.tag):bc:\(id)" }
        func recipients(_ id: Int) -> String { "\(self.tag):bc:\(id):to" }
        func outcomes(_ id: Int) -> String { "\(self.tag):bc:\(id):out" }
        func flight(_ id: Int) -> String { "\(self.tag):bc:\(id):flight" }
    }

    func keys(_ bot: BotID) -> Keys {
        let tag = "{\(self.prefix):\(bot.name)}"
        return Keys(next: "\(tag):bc:next", queue: "\(tag):bc:queue", lease: "\(tag):bc:lease", tag: tag)
    }

    // MARK: Creating and reading

    /// KEYS: record, queue. ARGV: id, then field/value pairs. Returns the
    /// broadcast's place in the queue (1: it is next).
    private static let create = RedisScript("""
        local t = redis.call('TIME')
        redis.call('HSET', KEYS[1], 'created', t[1] * 1000 + math.floor(t[2] / 1000), unpack(ARGV, 2))
        return redis.call('RPUSH', KEYS[2], ARGV[1])
        """)

    /// Stores a new broadcast to `recipients` and queues it; returns it and its place in the queue.
    func create(
        bot: BotID, content: BroadcastContent, audience: BroadcastAudience, recipients: [Int64], adminChat: Int64, locale: String
    ) async throws -> (broadcast: Broadcast, place: Int) {
        let keys = self.keys(bot)
        guard let id = try await self.client.send(["INCR", .string(keys.next)]).int else {
            throw RedisError(code: .protocolError, message: "INCR answered no number")
        }
        for chunk in stride(from: 0, to: recipients.count, by: 1000) {
            let slice = recipients[chunk..<min(chunk + 1000, recipients.count)]
            _ = try await self.client.send(["RPUSH", .string(keys.recipients(id))] + slice.map { .integer(Int($0)) })
        }
        let contentJSON = String(decoding: try JSONEncoder().encode(content), as: UTF8.self)
        let fields: [String: String] = [
            "status": BroadcastStatus.queued.rawValue, "content": contentJSON, "audience": audience.code,
            "total": String(recipients.count), "cursor": "0", "sent": "0", "blocked": "0", "failed": "0",
            "chat": String(adminChat), "locale": locale,
        ]
        let place = try await self.client.evaluate(
            Self.create,
            keys: [.string(keys.record(id)), .string(keys.queue)],
            arguments: [.integer(id)] + fields.sorted { $0.key < $1.key }.flatMap { [RedisArgument.string($0.key), .string($0.value)] }
        ).int ?? 0
        guard let broadcast = try await self.broadcast(bot: bot, id: id) else {
            throw RedisError(code: .protocolError, message: "broadcast \(id) vanished as it was created")
        }
        return (broadcast, place)
    }

    /// Broadcast `id` of `bot`, or nil when there is none (or it expired).
    public func broadcast(bot: BotID, id: Int) async throws -> Broadcast? {
        let fields = try await self.client.send(["HGETALL", .string(self.keys(bot).record(id))]).fields
        guard let status = fields["status"].flatMap(BroadcastStatus.init(rawValue:)),
              let content = fields["content"].flatMap({ try? JSONDecoder().decode(BroadcastContent.self, from: Data($0.utf8)) }),
              let audience = fields["audience"].flatMap(BroadcastAudience.init(code:))
        else { return nil }
        func number(_ name: String) -> Int { fields[name].flatMap { Int($0) } ?? 0 }
        return Broadcast(
            id: id, bot: bot, status: status, content: content, audience: audience,
            total: number("total"), cursor: number("cursor"), sent: number("sent"), blocked: number("blocked"), failed: number("failed"),
            adminChat: fields["chat"].flatMap { Int64($0) } ?? 0, locale: fields["locale"] ?? "en",
            progressMessage: fields["message"].flatMap { Int($0) },
            created: fields["created"].flatMap { Int64($0) } ?? 0,
            started: fields["started"].flatMap { Int64($0) }, finished: fields["finished"].flatMap { Int64($0) })
    }

    /// The broadcast at the head of `bot`'s queue, if any.
    func head(bot: BotID) async throws -> Int? {
        try await self.client.send(["LINDEX", .string(self.keys(bot).queue), "0"]).int
    }

    /// Each recipient's outcome so far.
    public func outcomes(bot: BotID, id: Int) async throws -> [Int64: String] {
        let fields = try await self.client.send(["HGETALL", .string(self.keys(bot).outcomes(id))]).fields
        return Dictionary(uniqueKeysWithValues: fields.compactMap { user, outcome in Int64(user).map { ($0, outcome) } })
    }

    // MARK: Admin's changes

    /// KEYS: record, queue, and the broadcast's other keys. ARGV: id, new
    /// status, the statuses it may change from (comma-separated), retention ms.
    /// Returns 1 when changed. A final status takes the broadcast out of the
    /// queue and starts its keys' expiry.
    private static let transition = RedisScript("""
        local status = redis.call('HGET', KEYS[1], 'status')
        if not status then return 0 end
        local allowed = false
        for from in string.gmatch(ARGV[3], '[^,]+') do if from == status then allowed = true end end
        if not allowed then return 0 end
        redis.call('HSET', KEYS[1], 'status', ARGV[2])
        if ARGV[2] == 'cancelled' or ARGV[2] == 'done' then
          local t = redis.call('TIME')
          redis.call('HSET', KEYS[1], 'finished', t[1] * 1000 + math.floor(t[2] / 1000))
          redis.call('LREM', KEYS[2], 0, ARGV[1])
          for i = 1, #KEYS do if i ~= 2 then redis.call('PEXPIRE', KEYS[i], ARGV[4]) end end
        end
        return 1
        """)

    /// Moves broadcast `id` to `status` if it is in one of `from`; returns whether it did.
    @discardableResult
    func transition(bot: BotID, id: Int, to status: BroadcastStatus, from: [BroadcastStatus]) async throws -> Bool {
        let keys = self.keys(bot)
        return try await self.client.evaluate(
            Self.transition,
            keys: [.string(keys.record(id)), .string(keys.queue), .string(keys.recipients(id)), .string(keys.outcomes(id)), .string(keys.flight(id))],
            arguments: [.integer(id), .string(status.rawValue), .string(from.map(\.rawValue).joined(separator: ",")), .integer(Self.retention.redisMilliseconds)]
        ).int == 1
    }

    // MARK: Sending

    /// Takes the lease on `bot`'s broadcasts for `token`, or renews it if the token holds it; returns whether it holds it now.
    private static let lease = RedisScript("""
        local holder = redis.call('GET', KEYS[1])
        if holder and holder ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """)

    func lease(bot: BotID, token: String, for timeout: Duration) async throws -> Bool {
        try await self.client.evaluate(
            Self.lease, keys: [.string(self.keys(bot).lease)], arguments: [.string(token), .integer(timeout.redisMilliseconds)]
        ).int == 1
    }

    private static let release = RedisScript("""
        if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
        return 1
        """)

    func release(bot: BotID, token: String) async throws {
        _ = try await self.client.evaluate(Self.release, keys: [.string(self.keys(bot).lease)], arguments: [.string(token)])
    }

    /// KEYS: record, recipients, flight, lease. ARGV: token, how many.
    /// Returns nil (as -1) when the lease is not the token's, -2 when the
    /// broadcast is not running, else the next recipients, each added to
    /// the flight set as the cursor moves past it.
    private static let claim = RedisScript("""
        if redis.call('GET', KEYS[4]) ~= ARGV[1] then return -1 end
        if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return -2 end
        local cursor = tonumber(redis.call('HGET', KEYS[1], 'cursor') or '0')
        local users = redis.call('LRANGE', KEYS[2], cursor, cursor + tonumber(ARGV[2]) - 1)
        if #users > 0 then
          redis.call('SADD', KEYS[3], unpack(users))
          redis.call('HSET', KEYS[1], 'cursor', cursor + #users)
        end
        return users
        """)

    /// What a claim found.
    enum Claim: Equatable {
        case lostLease
        case notRunning
        case recipients([Int64])
    }

    func claim(bot: BotID, id: Int, token: String, count: Int) async throws -> Claim {
        let keys = self.keys(bot)
        let reply = try await self.client.evaluate(
            Self.claim,
            keys: [.string(keys.record(id)), .string(keys.recipients(id)), .string(keys.flight(id)), .string(keys.lease)],
            arguments: [.string(token), .integer(count)])
        switch reply.int {
        case .some(-1): return .lostLease
        case .some(-2): return .notRunning
        default: return .recipients((reply.array ?? []).compactMap { $0.string.flatMap { Int64($0) } })
        }
    }

    /// The recipients handed out and not recorded: in flight when their sender stopped.
    func inFlight(bot: BotID, id: Int) async throws -> [Int64] {
        (try await self.client.send(["SMEMBERS", .string(self.keys(bot).flight(id))]).array ?? []).compactMap { $0.string.flatMap { Int64($0) } }.sorted()
    }

    /// KEYS: record, outcomes, flight. ARGV: recipient, outcome, counter.
    /// Records only a recipient still in flight, so a send repeated after a
    /// takeover is counted once.
    private static let record = RedisScript("""
        if redis.call('SREM', KEYS[3], ARGV[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
        return 1
        """)

    func record(bot: BotID, id: Int, recipient: Int64, outcome: String, counter: String) async throws {
        let keys = self.keys(bot)
        _ = try await self.client.evaluate(
            Self.record,
            keys: [.string(keys.record(id)), .string(keys.outcomes(id)), .string(keys.flight(id))],
            arguments: [.integer(Int(recipient)), .string(outcome), .string(counter)])
    }

    /// Marks the first send (`started`, Redis's time) unless it is marked.
    func noteStarted(bot: BotID, id: Int) async throws {
        let now = try await self.now()
        _ = try await self.client.send(["HSETNX", .string(self.keys(bot).record(id)), "started", .string(String(now))])
    }

    /// Keeps the progress message's id, so whoever sends next edits it.
    func noteProgressMessage(bot: BotID, id: Int, messageID: Int) async throws {
        _ = try await self.client.send(["HSET", .string(self.keys(bot).record(id)), "message", .integer(messageID)])
    }

    /// Redis's clock in milliseconds.
    func now() async throws -> Int64 {
        let time = try await self.client.send(["TIME"]).array ?? []
        let seconds = time.first?.string.flatMap { Int64($0) } ?? 0
        let micros = time.dropFirst().first?.string.flatMap { Int64($0) } ?? 0
        return seconds &* 1000 &+ micros / 1000
    }
}
