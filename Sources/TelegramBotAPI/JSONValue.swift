import Foundation

/// Any JSON value, read strictly (`1` is not `true`, `1.5` not an integer): the
/// emulators record and inspect request parameters with it, and the operator
/// API checks request bodies field by field.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Parses JSON text.
    public init(parsing bytes: [UInt8]) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    /// The member named `key` of an object; nil for other values.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string, or the text of a number or boolean (form fields arrive as text).
    public var stringValue: String? {
        switch self {
        case .string(let value): value
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .bool(let value): String(value)
        default: nil
        }
    }

    /// The integer, also from its text, as Telegram accepts `"42"` for `42`.
    public var intValue: Int64? {
        switch self {
        case .int(let value): value
        case .double(let value): value == value.rounded() ? Int64(exactly: value) : nil
        case .string(let value): Int64(value.trimmingCharacters(in: .whitespaces))
        default: nil
        }
    }

    /// The boolean, also from `"true"`/`"false"`/`"1"`/`"0"`.
    public var boolValue: Bool? {
        switch self {
        case .bool(let value): value
        case .int(let value): value != 0
        case .string(let value):
            switch value.lowercased() {
            case "true", "1": true
            case "false", "0", "": false
            default: nil
            }
        default: nil
        }
    }

    /// Decodes this value as `T`; a string is first parsed as JSON, because form and multipart
    /// requests carry objects such as `reply_markup` as JSON text.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let data: Data
        if case .string(let text) = self, let first = text.first, "{[".contains(first) {
            data = Data(text.utf8)
        } else {
            data = try JSONEncoder().encode(self)
        }
        return try JSONDecoder().decode(type, from: data)
    }

    /// Encodes any `Encodable` value as a `JSONValue`.
    public init(encoding value: some Encodable) throws {
        self = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
    }

    /// Compact JSON text.
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
