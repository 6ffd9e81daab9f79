/// What the driver does after a transition, in order.
public enum FlowAction: Sendable, Hashable {
    /// Show a step: send its prompt with its buttons (or edit the message
    /// whose button was pressed into it).
    case show(Screen)
    /// Say something without moving: an explanation of invalid input, a
    /// hint, a failed call's message.
    case notice(Prompt)
    /// Make the call and hand its outcome back as
    /// ``FlowEvent/serviceResult(_:)`` with the transition's state. Always the
    /// last action of its transition.
    case call(ServiceCall)
    /// The conversation ended (finished, cancelled, or could not start); say
    /// the prompt if any, then show the main menu.
    case finished(Prompt?)
    /// A button from an older screen, or an event for a conversation that no
    /// longer exists: say `conversation.expired` and show the main menu.
    /// Nothing was acted on.
    case expired
}
