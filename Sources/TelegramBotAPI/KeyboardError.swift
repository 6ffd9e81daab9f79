/// A keyboard button that Telegram would reject, caught when the button is built.
public struct KeyboardError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the button.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Hashable {
            case emptyText
            case callbackDataLength
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The button has no label.
        public static let emptyText = Code(.emptyText)
        /// `callback_data` is empty or longer than 64 bytes of UTF-8.
        public static let callbackDataLength = Code(.callbackDataLength)

        public var description: String {
            switch base {
            case .emptyText: "emptyText"
            case .callbackDataLength: "callbackDataLength"
            }
        }
    }

    public let code: Code
    /// The label of the offending button, so the message points at it.
    public let buttonText: String
    /// What is wrong and what to do about it.
    public let message: String

    init(code: Code, buttonText: String, message: String) {
        self.code = code
        self.buttonText = buttonText
        self.message = message
    }

    public var description: String {
        "KeyboardError.\(code): button \"\(buttonText)\": \(message)"
    }
}
