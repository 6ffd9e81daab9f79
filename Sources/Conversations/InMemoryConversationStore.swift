import Synchronization

/// Conversations and profiles in memory, for tests and single-instance
/// sandboxes: the same semantics as ``RedisConversationStore`` (stored as the
/// same JSON, compare-and-set on the version, both TTLs) with an injected clock.
public final class InMemoryConversationStore<ClockType: Clock>: ConversationStore where ClockType.Duration == Duration {
    private struct Entry {
        var bytes: [UInt8]
        var expires: ClockType.Instant
    }

    private struct ProfileKey: Hashable {
        var bot: String
        var user: Int64
    }

    /// All a save reads of the stored state, as the Redis script does.
    private struct StoredVersion: Decodable {
        var version: UInt64
    }

    private struct Storage {
        var states: [ConversationStoreKey: Entry] = [:]
        var profiles: [ProfileKey: Entry] = [:]
        var languages: [ProfileKey: String] = [:]
    }

    /// What decides when entries expire.
    public let clock: ClockType
    public let fsmTTL: Duration
    public let sessionTTL: Duration
    private let storage = Mutex(Storage())

    /// Creates an empty store.
    public init(clock: ClockType, fsmTTL: Duration = .seconds(3600), sessionTTL: Duration = .seconds(86_400)) {
        self.clock = clock
        self.fsmTTL = fsmTTL
        self.sessionTTL = sessionTTL
    }

    public func load(_ key: ConversationStoreKey) async throws -> ConversationState? {
        let now = self.clock.now
        let bytes = self.storage.withLock { $0.states[key].flatMap { $0.expires > now ? $0.bytes : nil } }
        return try bytes.map(ConversationState.decode)
    }

    public func save(_ state: ConversationState, for key: ConversationStoreKey, expecting expected: UInt64?) async throws {
        let now = self.clock.now
        let bytes = state.encoded()
        try self.storage.withLock { storage in
            let current = storage.states[key].flatMap { $0.expires > now ? $0.bytes : nil }
            let matches = switch (current, expected) {
            case (nil, nil): true
            case (let current?, let expected?): try StoredJSON.decode(StoredVersion.self, from: current, what: "state version").version == expected
            case (nil, _?), (_?, nil): false
            }
            guard matches else {
                throw ConversationStoreError(
                    code: .conflict,
                    message: "the state of \(key.bot)/\(key.conversation) is not at version \(expected.map { String($0) } ?? "none")"
                )
            }
            storage.states[key] = Entry(bytes: bytes, expires: now.advanced(by: self.fsmTTL))
        }
    }

    public func clear(_ key: ConversationStoreKey) async throws {
        _ = self.storage.withLock { $0.states.removeValue(forKey: key) }
    }

    public func profile(bot: String, user: Int64) async throws -> UserProfile? {
        let now = self.clock.now
        let key = ProfileKey(bot: bot, user: user)
        let bytes = self.storage.withLock { $0.profiles[key].flatMap { $0.expires > now ? $0.bytes : nil } }
        return try bytes.map(ProfileJSON.stored)
    }

    public func saveProfile(_ profile: UserProfile) async throws {
        let bytes = Array(try StoredJSON.encoder.encode(profile))
        let entry = Entry(bytes: bytes, expires: self.clock.now.advanced(by: self.sessionTTL))
        self.storage.withLock { $0.profiles[ProfileKey(bot: profile.bot, user: profile.user)] = entry }
    }

    public func chosenLanguage(bot: String, user: Int64) async throws -> String? {
        self.storage.withLock { $0.languages[ProfileKey(bot: bot, user: user)] }
    }

    public func saveChosenLanguage(_ language: String, bot: String, user: Int64, ifAbsent: Bool) async throws {
        self.storage.withLock { storage in
            let key = ProfileKey(bot: bot, user: user)
            if ifAbsent, storage.languages[key] != nil { return }
            storage.languages[key] = language
        }
    }

    /// Puts raw bytes where a state would be, as a corrupted store would hold them.
    func plantState(_ bytes: [UInt8], for key: ConversationStoreKey) {
        let entry = Entry(bytes: bytes, expires: self.clock.now.advanced(by: self.fsmTTL))
        self.storage.withLock { $0.states[key] = entry }
    }

    /// Puts raw bytes where a profile would be.
    func plantProfile(_ bytes: [UInt8], bot: String, user: Int64) {
        let entry = Entry(bytes: bytes, expires: self.clock.now.advanced(by: self.sessionTTL))
        self.storage.withLock { $0.profiles[ProfileKey(bot: bot, user: user)] = entry }
    }
}

extension InMemoryConversationStore where ClockType == ContinuousClock {
    /// Creates an empty store on the continuous clock.
    public convenience init(fsmTTL: Duration = .seconds(3600), sessionTTL: Duration = .seconds(86_400)) {
        self.init(clock: ContinuousClock(), fsmTTL: fsmTTL, sessionTTL: sessionTTL)
    }
}
