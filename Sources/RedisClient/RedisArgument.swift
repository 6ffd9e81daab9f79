/// One argument of a Redis command: text, an integer, or raw bytes.
public enum RedisArgument: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case bytes([UInt8])
}

extension RedisArgument: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}

extension RedisArgument: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) {
        self = .integer(value)
    }
}

extension RedisArgument {
    /// Appends the argument's wire bytes (an integer in decimal) to `storage`.
    func append(to storage: inout [UInt8]) {
        switch self {
        case .string(let text): storage.append(contentsOf: text.utf8)
        case .integer(let value): storage.append(contentsOf: String(value).utf8)
        case .bytes(let bytes): storage.append(contentsOf: bytes)
        }
    }
}
