/// Why a scripted action or a wait in the emulators failed.
public struct EmulatorError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case buttonNotFound
            case timedOut
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// No bot message in the chat has an inline button with the label.
        public static let buttonNotFound = Code(.buttonNotFound)
        /// What was waited for did not happen in time.
        public static let timedOut = Code(.timedOut)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What happened, with what the emulator saw instead.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String {
        "EmulatorError.\(code): \(message)"
    }
}
