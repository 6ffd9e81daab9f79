import TelegramBotAPI

extension JSONValue {
    /// The JSON object in `bytes`.
    /// - Throws: ``APIError`` (400) when the body is not one.
    static func object(from bytes: [UInt8]) throws(APIError) -> [String: JSONValue] {
        guard !bytes.isEmpty else { throw APIError(.badRequest, code: "invalid_body", message: "the body is empty; send a JSON object") }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw APIError(.badRequest, code: "invalid_body", message: "the body is not valid JSON")
        }
        guard case .object(let object) = value else {
            throw APIError(.badRequest, code: "invalid_body", message: "the body must be a JSON object")
        }
        return object
    }

    /// What kind of value this is, for an error message.
    var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
