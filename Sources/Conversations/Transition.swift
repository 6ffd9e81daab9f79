/// The result of one event: what to do and the conversation afterwards.
public struct Transition: Sendable, Hashable {
    /// What to do, in order.
    public var actions: [FlowAction]
    /// The conversation afterwards; nil when it ended (clear the stored state).
    public var state: ConversationState?
    /// Whether `state` differs from the state the event was handled with, so
    /// it has to be saved (or cleared, when nil).
    public var changed: Bool

    /// Creates a transition.
    public init(actions: [FlowAction], state: ConversationState?, changed: Bool) {
        self.actions = actions
        self.state = state
        self.changed = changed
    }

    /// The call the driver must make before saving anything, if any.
    public var pendingCall: ServiceCall? {
        self.state?.pending?.call
    }
}
