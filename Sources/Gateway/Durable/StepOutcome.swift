public import TelegramBotAPI

/// What handling one update decided: the conversation's new state and the
/// replies to send. ``RedisInbox/commit(_:outcome:)`` applies it atomically
/// with the acknowledgement of the update.
public struct StepOutcome: Sendable {
    /// The state to save; nil keeps the current one.
    public var newState: [UInt8]?
    /// The Bot API calls to send, in order, through the outbox.
    public var replies: [OutboundCall]

    /// Creates an outcome.
    public init(newState: [UInt8]? = nil, replies: [OutboundCall] = []) {
        self.newState = newState
        self.replies = replies
    }

    /// Nothing to save, nothing to send: the update is only acknowledged.
    public static let unchanged = StepOutcome()
}
