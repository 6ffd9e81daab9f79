/// The flows of a bot and the catalog keys the runtime uses for all of them.
///
/// Check it once at start with ``validate(keys:)``; draw it with ``mermaid()``;
/// run it with a ``FlowRuntime``.
public struct FlowRegistry: Sendable {
    /// The flows in the order given.
    public let flows: [Flow]
    public let messages: FlowMessages
    private let index: [String: Int]

    /// Creates a registry. Two flows with one name are reported by ``validate(keys:)``.
    public init(_ flows: [Flow], messages: FlowMessages = FlowMessages()) {
        self.flows = flows
        self.messages = messages
        self.index = Dictionary(flows.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The flow named `name`.
    public func flow(named name: String) -> Flow? {
        self.index[name].map { self.flows[$0] }
    }
}
