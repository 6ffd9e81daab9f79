extension Step {
    /// Where a step goes: after its input (``Step/next(_:)``), or after its
    /// action's outcome (``Step/onSuccess(_:)``, ``Step/onFailure(_:_:)``).
    public enum Route: Sendable, Hashable {
        /// Enter the named step of the same flow.
        case step(String)
        /// End the conversation, saying `prompt` if given. After a failure
        /// without a prompt, the failure's message is said.
        case finish(Prompt? = nil)
        /// Undo the event that led here: the conversation is back as it was
        /// before it, so the same screen is current and the same button can be
        /// pressed again (a retry). Says `prompt` if given; after a failure
        /// without a prompt, the failure's message. Where there is nothing to
        /// go back to (a call made by ``FlowRuntime/start(flow:data:id:)``),
        /// the conversation ends with that message instead.
        case stay(Prompt? = nil)
    }
}
