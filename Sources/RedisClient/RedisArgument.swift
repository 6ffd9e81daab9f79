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
