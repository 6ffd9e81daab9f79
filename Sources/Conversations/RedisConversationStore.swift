#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import RedisClient

/// Conversations and profiles in Redis.
///
/// Key layout (the state key is the one the durable pipeline leases and
/// commits, so both see the same state):
/// - `{prefix:bot:conversation}:state` — the ``ConversationState`` JSON, with the FSM TTL.
/// - `{prefix:bot:user}:profile` — the ``UserProfile`` JSON, with the session
///   TTL. Its hash tag is that of the user's private chat with the bot, so
///   the durable pipeline reads it in the same script as that chat's state.
/// - `{prefix:bot:user}:language` — the language the user chose, a plain
///   string without expiry (written through to PostgreSQL by the gateway).
///
/// A save is one Lua script that compares the stored state's version with
/// the expected one and writes only if they match.
public struct RedisConversationStore: ConversationStore {
    public let client: any RedisCommandRunner
    /// The key prefix (`gw`), the same as the durable pipeline's.
    public let keyPrefix: String
    /// How long a state lives after its last save.
    public let fsmTTL: Duration
    /// How long a profile lives after its last save.
    public let sessionTTL: Duration

    /// Creates a store on `client`.
    public init(client: any RedisCommandRunner, keyPrefix: String, fsmTTL: Duration = .seconds(3600), sessionTTL: Duration = .seconds(86_400)) {
        self.client = client
        self.keyPrefix = keyPrefix
        self.fsmTTL = fsmTTL
        self.sessionTTL = sessionTTL
    }

    /// The key of a conversation's state.
    public func stateKey(_ key: ConversationStoreKey) -> String {
        RedisKeyName.tagged(self.keyPrefix, key.bot, key.conversation, suffix: ":state")
    }

    /// The key of a user's profile.
    public func profileKey(bot: String, user: Int64) -> String {
        RedisKeyName.tagged(self.keyPrefix, bot, String(user), suffix: ":profile")
    }

    public func preloadKey(bot: String, user: Int64) -> String? {
        self.profileKey(bot: bot, user: user)
    }

    public func decodeProfile(_ bytes: [UInt8]) throws -> UserProfile {
        try ProfileJSON.stored(bytes)
    }

    public func load(_ key: ConversationStoreKey) async throws -> ConversationState? {
        guard let bytes = try await self.get(self.stateKey(key)) else { return nil }
        return try ConversationState.decode(bytes)
    }

    public func save(_ state: ConversationState, for key: ConversationStoreKey, expecting expected: UInt64?) async throws {
        let reply = try await self.client.evaluate(
            Self.compareAndSet,
            keys: [.string(self.stateKey(key))],
            arguments: [
                .string(expected.map { String($0) } ?? ""),
                .bytes(state.encoded()),
                .integer(self.fsmTTL.redisMilliseconds),
            ]
        )
        switch reply.int {
        case 1:
            return
        case 0:
            throw ConversationStoreError(
                code: .conflict,
                message: "the state of \(key.bot)/\(key.conversation) is not at version \(expected.map { String($0) } ?? "none")"
            )
        case -1:
            throw ConversationStoreError(
                code: .unreadable,
                message: "the stored state of \(key.bot)/\(key.conversation) has no readable version; clear it"
            )
        default:
            throw ConversationStoreError(code: .unexpectedReply, message: "the save script answered \(reply)")
        }
    }

    public func clear(_ key: ConversationStoreKey) async throws {
        try await self.client.send("DEL", .string(self.stateKey(key)))
    }

    public func profile(bot: String, user: Int64) async throws -> UserProfile? {
        guard let bytes = try await self.get(self.profileKey(bot: bot, user: user)) else { return nil }
        return try self.decodeProfile(bytes)
    }

    public func saveProfile(_ profile: UserProfile) async throws {
        let bytes = Array(try StoredJSON.encoder.encode(profile))
        try await self.client.send(
            "SET", .string(self.profileKey(bot: profile.bot, user: profile.user)), .bytes(bytes),
            "PX", .integer(self.sessionTTL.redisMilliseconds)
        )
    }

    /// The key of a user's chosen language.
    public func languageKey(bot: String, user: Int64) -> String {
        RedisKeyName.tagged(self.keyPrefix, bot, String(user), suffix: ":language")
    }

    public func chosenLanguage(bot: String, user: Int64) async throws -> String? {
        try await self.get(self.languageKey(bot: bot, user: user)).map { String(decoding: $0, as: UTF8.self) }
    }

    public func saveChosenLanguage(_ language: String, bot: String, user: Int64, ifAbsent: Bool) async throws {
        if ifAbsent {
            try await self.client.send("SET", .string(self.languageKey(bot: bot, user: user)), .string(language), "NX")
        } else {
            try await self.client.send("SET", .string(self.languageKey(bot: bot, user: user)), .string(language))
        }
    }

    private func get(_ key: String) async throws -> [UInt8]? {
        let reply = try await self.client.send("GET", .string(key))
        if reply.isNull { return nil }
        guard let bytes = reply.bytes else {
            throw ConversationStoreError(code: .unexpectedReply, message: "GET answered \(reply)")
        }
        return bytes
    }

    /// KEYS: state. ARGV: expected version (empty: none may be stored), state, TTL (ms).
    /// Returns 1 saved, 0 version mismatch, -1 the stored state has no readable version.
    /// cjson reads numbers as doubles, exact for versions below 2^53.
    static let compareAndSet = RedisScript("""
        local current = redis.call('GET', KEYS[1])
        if ARGV[1] == '' then
          if current then return 0 end
        else
          if not current then return 0 end
          local ok, stored = pcall(cjson.decode, current)
          if not ok or type(stored) ~= 'table' or type(stored.version) ~= 'number' then return -1 end
          if stored.version ~= tonumber(ARGV[1]) then return 0 end
        end
        redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
        return 1
        """)
}
