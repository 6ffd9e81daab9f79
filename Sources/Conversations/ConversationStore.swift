/// Names one conversation: a bot and the conversation's storage name within
/// it (`chat`, or `chat:user` for a member of a group).
public struct ConversationStoreKey: Sendable, Hashable {
    public var bot: String
    public var conversation: String

    /// Creates a key.
    public init(bot: String, conversation: String) {
        self.bot = bot
        self.conversation = conversation
    }
}

/// Where conversations and user profiles live between updates.
///
/// A state lives for the FSM TTL after its last save, a profile for the
/// session TTL after its last save. Saves of a state are compare-and-set on
/// its version, so of two updates racing on one conversation only the first
/// wins and the other sees ``ConversationStoreError/Code/conflict``.
public protocol ConversationStore: Sendable {
    /// The conversation's state, or nil when there is none (never started,
    /// ended, or expired).
    /// - Throws: ``ConversationStoreError/Code/unreadable`` when the stored bytes cannot be read.
    func load(_ key: ConversationStoreKey) async throws -> ConversationState?

    /// Saves `state` if the stored state still has the version `expected`
    /// (nil: if no state is stored), and starts its FSM TTL again.
    /// - Throws: ``ConversationStoreError/Code/conflict`` when it does not;
    ///   ``ConversationStoreError/Code/unreadable`` when the stored state cannot be read.
    func save(_ state: ConversationState, for key: ConversationStoreKey, expecting expected: UInt64?) async throws

    /// Removes the conversation's state.
    func clear(_ key: ConversationStoreKey) async throws

    /// The user's profile with this bot, or nil when none was saved within the session TTL.
    func profile(bot: String, user: Int64) async throws -> UserProfile?

    /// Saves a profile, starting its session TTL again.
    func saveProfile(_ profile: UserProfile) async throws

    /// The language the user chose with this bot, kept without expiry (a
    /// profile expires with its session); nil when none was chosen.
    func chosenLanguage(bot: String, user: Int64) async throws -> String?

    /// Keeps the user's chosen language; with `ifAbsent`, only when none is
    /// kept yet (for catching up from an older copy without overwriting a newer choice).
    func saveChosenLanguage(_ language: String, bot: String, user: Int64, ifAbsent: Bool) async throws

    /// The key a user's profile is stored under, for callers that read it
    /// raw along with other data in one request (the durable pipeline reads
    /// it with the user's private chat state); nil when the store has none.
    func preloadKey(bot: String, user: Int64) -> String?

    /// A profile from the bytes stored at ``preloadKey(bot:user:)``.
    /// - Throws: ``ConversationStoreError/Code/unreadable`` when they cannot be read.
    func decodeProfile(_ bytes: [UInt8]) throws -> UserProfile
}

extension ConversationStore {
    public func preloadKey(bot: String, user: Int64) -> String? {
        nil
    }

    public func decodeProfile(_ bytes: [UInt8]) throws -> UserProfile {
        throw ConversationStoreError(code: .unreadable, message: "this store keeps no raw profiles")
    }
}
