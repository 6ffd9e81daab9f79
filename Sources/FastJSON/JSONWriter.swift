/// Writes JSON bytes as `JSONEncoder` writes them (no whitespace, keys in the
/// order written, non-ASCII as UTF-8, `\"` `\\` `\n` `\r` `\t` `\b` `\f`
/// and `\u00xx` for the other control characters), for the hand-written
/// writers on the hot path. The caller writes the punctuation around keys.
public struct JSONWriter {
    /// What has been written.
    public var bytes: [UInt8] = []
    /// Whether `/` is written `\/`, as `JSONEncoder` does unless told
    /// `.withoutEscapingSlashes`.
    public let escapesSlashes: Bool

    /// A writer with room for `capacity` bytes.
    public init(capacity: Int = 256, escapingSlashes: Bool) {
        self.escapesSlashes = escapingSlashes
        self.bytes.reserveCapacity(capacity)
    }

    /// Appends one byte as it is.
    @inlinable
    public mutating func byte(_ byte: UInt8) {
        self.bytes.append(byte)
    }

    /// Appends `text` as it is: punctuation and keys.
    @inlinable
    public mutating func raw(_ text: StaticString) {
        self.bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `true` or `false`.
    @inlinable
    public mutating func bool(_ flag: Bool) {
        flag ? self.raw("true") : self.raw("false")
    }

    /// An integer in decimal.
    public mutating func int(_ number: Int64) {
        if number < 0 { self.bytes.append(UInt8(ascii: "-")) }
        self.unsigned(number.magnitude)
    }

    /// An integer without a sign, in decimal.
    public mutating func unsigned(_ number: UInt64) {
        var count = 1
        var rest = number / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        let start = self.bytes.count
        self.bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var value = number
        for index in stride(from: start + count - 1, through: start, by: -1) {
            self.bytes[index] = UInt8(truncatingIfNeeded: value % 10) &+ UInt8(ascii: "0")
            value /= 10
        }
    }

    /// A string, quoted and escaped.
    public mutating func string(_ text: String) {
        self.bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            // Runs without escapes are copied in one go.
            var plainFrom = 0
            for index in utf8.indices {
                let byte = utf8[index]
                let escape: StaticString
                switch byte {
                case UInt8(ascii: "\""): escape = "\\\""
                case UInt8(ascii: "\\"): escape = "\\\\"
                case UInt8(ascii: "/") where self.escapesSlashes: escape = "\\/"
                case 0x0A: escape = "\\n"
                case 0x0D: escape = "\\r"
                case 0x09: escape = "\\t"
                case 0x08: escape = "\\b"
                case 0x0C: escape = "\\f"
                case 0..<0x10: escape = "\\u000"
                case 0x10..<0x20: escape = "\\u001"
                default: continue
                }
                self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainFrom..<index]))
                plainFrom = index + 1
                self.raw(escape)
                if escape.utf8CodeUnitCount == 5 {
                    let nibble = byte & 0x0F
                    self.bytes.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
                }
            }
            self.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plainFrom...]))
        }
        self.bytes.append(UInt8(ascii: "\""))
    }

    /// `[ item, … ]`, each item written by `item`, which answers whether it could.
    @inlinable
    public mutating func array<Item>(_ items: some Sequence<Item>, _ item: (inout JSONWriter, Item) -> Bool) -> Bool {
        self.byte(UInt8(ascii: "["))
        var first = true
        for element in items {
            if !first { self.byte(UInt8(ascii: ",")) }
            first = false
            guard item(&self, element) else { return false }
        }
        self.byte(UInt8(ascii: "]"))
        return true
    }
}
