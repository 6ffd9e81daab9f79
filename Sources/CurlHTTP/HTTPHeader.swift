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

extension HTTPHeader {
    /// The field of one received header line (`Name: value` and its line
    /// end), read as bytes: the name and value without the spaces and tabs
    /// around them; nil for a line without a colon (the status line, the
    /// empty line that ends the fields).
    init?(fieldLine line: UnsafeRawBufferPointer) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
        self.init(
            name: String(decoding: Self.trimmed(line[..<colon]), as: UTF8.self),
            value: String(decoding: Self.trimmed(line[(colon + 1)...]), as: UTF8.self)
        )
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
        func isSpace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) }) else {
            return bytes[bytes.endIndex...]
        }
        return bytes[first...last]
    }
}

extension HTTPHeader {
    /// Whether the name or value holds a byte that would end the field early: CR, LF or NUL.
    var hasUnsafeBytes: Bool {
        Self.hasUnsafeBytes(name) || Self.hasUnsafeBytes(value)
    }

    /// Whether the field is named `name`, in any case.
    func hasName(_ name: String) -> Bool {
        self.name.utf8.count == name.utf8.count && [HTTPHeader].equalIgnoringASCIICase(self.name, name)
    }

    private static func hasUnsafeBytes(_ string: String) -> Bool {
        func unsafe(_ byte: UInt8) -> Bool { byte == 0x0D || byte == 0x0A || byte == 0 }
        // Every request's fields pass here: over the contiguous bytes when the string has them.
        return string.utf8.withContiguousStorageIfAvailable { $0.contains(where: unsafe) } ?? string.utf8.contains(where: unsafe)
    }

    /// The name for an error message, cut at the first unsafe byte; values are never shown, as
    /// they may be secrets.
    var safeName: String {
        String(decoding: name.utf8.prefix { $0 >= 0x20 && $0 < 0x7F }.prefix(64), as: UTF8.self)
    }
}

extension [HTTPHeader] {
    /// The first value of the named field, matched case-insensitively as HTTP requires.
    public func value(for name: String) -> String? {
        first { Self.equalIgnoringASCIICase($0.name, name) }?.value
    }

    /// Field names are ASCII tokens, so only ASCII letters need folding; no lowercased copies.
    static func equalIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        a.utf8.elementsEqual(b.utf8) { x, y in
            x == y || (x | 0x20 == y | 0x20 && (x | 0x20) >= UInt8(ascii: "a") && (x | 0x20) <= UInt8(ascii: "z"))
        }
    }
}
