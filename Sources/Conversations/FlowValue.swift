/// One value of a conversation's data: what the user entered, what a service
/// answered, or a list of options to choose from.
///
/// Stored as JSON with the case as the only key (`{"string":"Block 4"}`,
/// `{"strings":["a","b"]}`), so every case reads back as itself, an empty
/// list included.
public enum FlowValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case strings([String])
    case bool(Bool)
    /// Options loaded for a ``Step/Input/dynamicChoice(_:empty:columns:hint:)``.
    case options([FlowOption])

    /// The text of a `.string`, or the decimal form of an `.int`.
    public var string: String? {
        switch self {
        case .string(let text): text
        case .int(let number): String(number)
        case .strings, .bool, .options: nil
        }
    }

    /// How many items a list holds; a scalar counts as one.
    public var count: Int {
        switch self {
        case .strings(let items): items.count
        case .options(let options): options.count
        case .string, .int, .bool: 1
        }
    }
}

/// One option of a dynamic choice: the value stored when it is chosen and the
/// label shown on its button (already in the user's language).
public struct FlowOption: Codable, Sendable, Hashable {
    public var value: String
    public var label: String

    /// Creates an option.
    public init(value: String, label: String) {
        self.value = value
        self.label = label
    }
}

extension FlowValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension FlowValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self = .int(value)
    }
}

extension FlowValue: Codable {
    private enum CodingKeys: String, CodingKey {
        case string, int, strings, bool, options
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "a flow value has exactly one of the keys string, int, strings, bool, options"
            ))
        }
        switch key {
        case .string: self = .string(try container.decode(String.self, forKey: key))
        case .int: self = .int(try container.decode(Int.self, forKey: key))
        case .strings: self = .strings(try container.decode([String].self, forKey: key))
        case .bool: self = .bool(try container.decode(Bool.self, forKey: key))
        case .options: self = .options(try container.decode([FlowOption].self, forKey: key))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .string(let text): try container.encode(text, forKey: .string)
        case .int(let number): try container.encode(number, forKey: .int)
        case .strings(let items): try container.encode(items, forKey: .strings)
        case .bool(let flag): try container.encode(flag, forKey: .bool)
        case .options(let options): try container.encode(options, forKey: .options)
        }
    }
}
