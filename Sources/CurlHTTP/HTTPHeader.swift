/// One HTTP header field.
public struct HTTPHeader: Sendable, Hashable {
    /// The field name, as sent or received.
    public var name: String
    /// The field value without surrounding whitespace.
    public var value: String

    /// Creates a header field.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension [HTTPHeader] {
    /// The first value of the named field, matched case-insensitively as HTTP requires.
    public func value(for name: String) -> String? {
        let wanted = name.lowercased()
        return first { $0.name.lowercased() == wanted }?.value
    }
}
