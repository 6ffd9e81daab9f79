/// Why an update body was rejected: a code to act on, the JSON path of the
/// offending field (`message.chat.id`), and a message naming both.
///
/// The message quotes no field values, so it is safe to log and to return to a
/// client.
public struct UpdateDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: Hashable {
            case invalidUTF8
            case invalidJSON
            case notAnObject
            case nestingTooDeep
            case numberOutOfRange
            case missingField
            case typeMismatch
            case invalidValue
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The body is not valid UTF-8.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// The body is not well-formed JSON (RFC 8259; no trailing commas, no raw
        /// control characters in strings).
        public static let invalidJSON = Code(.invalidJSON)
        /// The body is JSON but not an object.
        public static let notAnObject = Code(.notAnObject)
        /// Objects and arrays are nested deeper than the decoder allows.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// An integer does not fit 64 bits, or a fraction is where an integer belongs.
        public static let numberOutOfRange = Code(.numberOutOfRange)
        /// A required field is absent.
        public static let missingField = Code(.missingField)
        /// A field holds the wrong kind of value (or null where a value is required).
        public static let typeMismatch = Code(.typeMismatch)
        /// A field's value is of the right kind but not acceptable.
        public static let invalidValue = Code(.invalidValue)

        public var description: String {
            switch base {
            case .invalidUTF8: "invalidUTF8"
            case .invalidJSON: "invalidJSON"
            case .notAnObject: "notAnObject"
            case .nestingTooDeep: "nestingTooDeep"
            case .numberOutOfRange: "numberOutOfRange"
            case .missingField: "missingField"
            case .typeMismatch: "typeMismatch"
            case .invalidValue: "invalidValue"
            }
        }
    }

    public let code: Code
    /// The JSON path of the offending value, such as `message.entities[0].offset`;
    /// empty when the problem is with the body as a whole.
    public let path: String
    /// The 0-based byte offset of the problem in the body, where known.
    public let byteOffset: Int?
    /// What is wrong, naming the path or the byte offset.
    public let message: String

    /// Builds the message as `path: reason`, or `reason at byte N: detail`
    /// for a problem with the body as a whole.
    init(code: Code, path: String = "", byteOffset: Int? = nil, reason: String, detail: String? = nil) {
        self.code = code
        self.path = path
        self.byteOffset = byteOffset
        var message = path.isEmpty ? reason : "\(path): \(reason)"
        if path.isEmpty, let byteOffset {
            message += " at byte \(byteOffset)"
        }
        if let detail {
            message += ": \(detail)"
        }
        self.message = message
    }

    public var description: String {
        "UpdateDecodingError.\(code): \(message)"
    }
}
