/// Something that happened to a conversation, as the driver reports it to
/// ``FlowRuntime/handle(_:state:)``.
public enum FlowEvent: Sendable, Hashable {
    /// A text message; a number step parses it.
    case text(String)
    /// A pressed flow button (see ``ButtonPress/parse(_:)``).
    case button(ButtonPress)
    /// A photo, by the `file_id` to keep.
    case photo(fileID: String)
    /// A shared contact.
    case contact(phone: String)
    /// A shared location.
    case location(latitude: Double, longitude: Double)
    /// The outcome of the ``FlowAction/call(_:)`` the last transition asked for.
    case serviceResult(ServiceOutcome)
    /// `/cancel`: leaves the flow whatever its step shows.
    case cancel
    /// A **Back** request without a button (a command); goes back if there is a step to go back to.
    case back
}
