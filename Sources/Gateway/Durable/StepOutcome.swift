public import RedisClient
public import TelegramBotAPI

/// What handling one update decided: what becomes of the conversation's
/// state and the replies to send. ``RedisInbox/commit(_:outcome:)`` applies
/// it atomically with the acknowledgement of the update.
public struct StepOutcome: Sendable {
    /// What a step does to the conversation's stored state.
    public enum StateChange: Sendable, Equatable {
        /// Leave the state as it is.
        case keep
        /// Replace the state (saved with the FSM TTL).
        case set([UInt8])
        /// Delete the state: the conversation left its flow.
        case clear
    }

    /// What becomes of the conversation's state.
    public var state: StateChange
    /// The Bot API calls to send, in order, through the outbox.
    public var replies: [OutboundCall]
    /// Redis commands the commit runs in the same script, e.g. the
    /// rate-limit counters of a private chat (see ``RateLimitStore/decide(_:policy:preloaded:)``).
    /// Each names, as its first argument, a key of the conversation's hash
    /// tag; the in-process dispatcher has no Redis and ignores them.
    public var writes: [[RedisArgument]]

    /// Creates an outcome.
    public init(state: StateChange = .keep, replies: [OutboundCall] = [], writes: [[RedisArgument]] = []) {
        self.state = state
        self.replies = replies
        self.writes = writes
    }

    /// Nothing to save, nothing to send: the update is only acknowledged.
    public static let unchanged = StepOutcome()
}
