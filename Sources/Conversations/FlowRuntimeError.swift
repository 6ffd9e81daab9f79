/// Why ``FlowRuntime/start(flow:data:id:)`` could not start a conversation.
public struct FlowRuntimeError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case unknownFlow
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// No flow of that name, or one without steps (a command routed to a
        /// flow the bot does not define).
        public static let unknownFlow = Code(.unknownFlow)

        public var description: String { self.base.rawValue }
    }

    public let code: Code
    public let message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "FlowRuntimeError.\(self.code): \(self.message)" }
}
