/// Why a ``ConversationStore`` operation did not happen.
public struct ConversationStoreError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case conflict
            case unreadable
            case unexpectedReply
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The stored state's version is not the one expected (or a state
        /// exists where none was expected, or none where one was): another
        /// update changed the conversation first. Load it again and redo the step.
        public static let conflict = Code(.conflict)
        /// The stored bytes are not a state or profile this version can read.
        /// ``ConversationStore/clear(_:)`` removes an unreadable state.
        public static let unreadable = Code(.unreadable)
        /// Redis answered a script in a shape this version does not know.
        public static let unexpectedReply = Code(.unexpectedReply)

        public var description: String { self.base.rawValue }
    }

    public let code: Code
    /// What happened; it never quotes stored data.
    public let message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "ConversationStoreError.\(self.code): \(self.message)" }
}
