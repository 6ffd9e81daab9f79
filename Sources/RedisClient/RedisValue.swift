/// A reply from Redis, decoded from RESP2.
///
/// A top-level error reply is thrown as ``RedisError`` instead; ``error(_:)``
/// only appears nested, for example as one command's result inside `EXEC`.
public enum RedisValue: Sendable, Hashable {
    case null
    case integer(Int64)
    /// A status reply such as `OK` or `QUEUED`.
    case simpleString(String)
    case bulkString([UInt8])
    case array([RedisValue])
    case error(String)
}

extension RedisValue {
    /// The text of a status or bulk reply (bulk bytes decoded as UTF-8), or
    /// the decimal form of an integer reply.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let value): String(value)
        case .null, .array, .error: nil
        }
    }

    /// An integer reply, or a status/bulk reply that holds a decimal integer.
    public var int: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .simpleString, .bulkString: string.flatMap { Int($0) }
        case .null, .array, .error: nil
        }
    }

    /// The raw bytes of a bulk or status reply.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        case .null, .integer, .array, .error: nil
        }
    }

    /// The elements of an array reply.
    public var array: [RedisValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// An array reply of names and values in turn (`HGETALL`, `ZRANGE …
    /// WITHSCORES`) as pairs; an odd last element is left out.
    public var pairs: [(name: RedisValue, value: RedisValue)] {
        guard let elements = self.array else { return [] }
        return stride(from: 0, to: elements.count - 1, by: 2).map { (elements[$0], elements[$0 + 1]) }
    }

    /// An `HGETALL` reply as field → value, for the pairs that are both text.
    public var fields: [String: String] {
        var fields: [String: String] = [:]
        for (name, value) in self.pairs {
            if let name = name.string, let value = value.string { fields[name] = value }
        }
        return fields
    }
}
