/// Why a durable pipeline operation did not happen.
public struct DurablePipelineError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case leaseLost
            case stepTimedOut
            case unencodableReply
            case unexpectedReply
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The dispatcher no longer owns the conversation (its lease expired and
        /// another instance took it over); the step was not committed.
        public static let leaseLost = Code(.leaseLost)
        /// The step ran longer than `STEP_TIMEOUT` and was cancelled.
        public static let stepTimedOut = Code(.stepTimedOut)
        /// A reply cannot be stored in the outbox (an upload's bytes, for one).
        public static let unencodableReply = Code(.unencodableReply)
        /// A script answered in a shape this version does not know: an older
        /// or newer gateway wrote the keys.
        public static let unexpectedReply = Code(.unexpectedReply)

        public var description: String { self.base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What happened and what to do.
    public let message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "DurablePipelineError.\(self.code): \(self.message)" }

    /// A step cancelled for running longer than `timeout` (`STEP_TIMEOUT`),
    /// in either dispatcher.
    static func stepTimedOut(after timeout: Duration) -> DurablePipelineError {
        DurablePipelineError(code: .stepTimedOut, message: "the step ran longer than STEP_TIMEOUT (\(timeout)) and was cancelled")
    }
}
