/// One value of a bot's entry in `BOTS_CONFIG_FILE` beyond the fields every
/// bot has: what a bot kind reads its own settings from (a `forward` bot's
/// `url`, `timeout`, …). Arrays and objects are kept only as their kind: no
/// kind reads them yet.
public enum BotSetting: Sendable, Hashable, Decodable, CustomStringConvertible {
    /// A JSON string.
    case string(String)
    /// A JSON number.
    case number(Double)
    /// `true` or `false`.
    case bool(Bool)
    /// `null`.
    case null
    /// A JSON list, contents not kept.
    case array
    /// A JSON object, contents not kept.
    case object

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if (try? container.decode([BotSetting].self)) != nil {
            self = .array
        } else {
            self = .object
        }
    }

    /// The JSON type, for error messages: never the value, which may be a secret.
    public var description: String {
        switch self {
        case .string: "a string"
        case .number: "a number"
        case .bool: "true or false"
        case .null: "null"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
