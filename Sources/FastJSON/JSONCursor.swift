/// A cursor over JSON bytes, for the hand-written readers of the few shapes
/// the hot path reads on every update (the update itself, the Bot API's
/// answers, the conversation state).
///
/// `JSONDecoder` costs about ten times what a reader that knows its shape
/// does (callgrind, `scripts/bench.sh flow --callgrind`), and none of the
/// packages this project may use offers a faster decoder, so these readers are
/// written by hand. They are built to be *stricter* than `JSONDecoder`: every
/// method answers nil (or false) at the first byte outside what it expects,
/// and the caller then hands the whole input to `JSONDecoder`, which decides
/// (and words the error). A reader therefore never has to reproduce an error,
/// only the values of the inputs it accepts.
///
/// The cursor reads through a pointer that is valid only inside ``read(_:_:)``'s
/// closure; it never stores one anywhere else.
public struct JSONCursor {
    @usableFromInline let bytes: UnsafeBufferPointer<UInt8>
    @usableFromInline var position = 0
    /// How many objects and arrays the cursor is inside.
    @usableFromInline var depth = 0

    /// The deepest nesting of objects and arrays read (the outermost is
    /// level 1), as deep as the webhook's pre-scan lets an update nest.
    public static let maximumDepth = 64

    @usableFromInline init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Runs `body` over `bytes` and answers its value if it read the whole
    /// input (whitespace aside); nil otherwise.
    @inlinable
    public static func read<Value>(_ bytes: UnsafeRawBufferPointer, _ body: (inout JSONCursor) -> Value?) -> Value? {
        bytes.withMemoryRebound(to: UInt8.self) { Self.read($0, body) }
    }

    /// Runs `body` over `bytes` and answers its value if it read the whole
    /// input (whitespace aside); nil otherwise.
    @inlinable
    public static func read<Value>(_ bytes: [UInt8], _ body: (inout JSONCursor) -> Value?) -> Value? {
        bytes.withUnsafeBufferPointer { Self.read($0, body) }
    }

    @inlinable
    static func read<Value>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (inout JSONCursor) -> Value?) -> Value? {
        var cursor = JSONCursor(bytes)
        cursor.skipWhitespace()
        guard let value = body(&cursor) else { return nil }
        cursor.skipWhitespace()
        return cursor.position == bytes.count ? value : nil
    }

    /// `{ "key": value, … }`, each value read by `member`, which answers
    /// whether it read one. A member that fails stops the whole object.
    @inlinable
    public mutating func object(_ member: (inout JSONCursor, JSONKey) -> Bool) -> Bool {
        guard self.take(UInt8(ascii: "{")), self.enter() else { return false }
        if self.take(UInt8(ascii: "}")) { return self.leave() }
        repeat {
            guard let key = self.key(), self.take(UInt8(ascii: ":")) else { return false }
            self.skipWhitespace()
            guard member(&self, key) else { return false }
        } while self.take(UInt8(ascii: ","))
        return self.take(UInt8(ascii: "}")) && self.leave()
    }

    /// `[ item, … ]`, each item read by `item`.
    @inlinable
    public mutating func array<Item>(_ item: (inout JSONCursor) -> Item?) -> [Item]? {
        guard self.take(UInt8(ascii: "[")), self.enter() else { return nil }
        var items: [Item] = []
        if self.take(UInt8(ascii: "]")) { return self.leave() ? items : nil }
        repeat {
            self.skipWhitespace()
            guard let next = item(&self) else { return nil }
            items.append(next)
        } while self.take(UInt8(ascii: ","))
        return self.take(UInt8(ascii: "]")) && self.leave() ? items : nil
    }

    /// One level deeper; false past ``maximumDepth``.
    @usableFromInline
    mutating func enter() -> Bool {
        self.depth += 1
        return self.depth <= Self.maximumDepth
    }

    /// One level up again; always true, to end a read that succeeded.
    @usableFromInline
    mutating func leave() -> Bool {
        self.depth -= 1
        return true
    }

    /// Reads a member's value into `slot` with `read`, unless `slot` holds
    /// one already: a repeated key fails the read.
    @inlinable
    public mutating func once<Value>(_ slot: inout Value?, _ read: (inout JSONCursor) -> Value?) -> Bool {
        guard slot == nil, let value = read(&self) else { return false }
        slot = value
        return true
    }

    /// `true` or `false`.
    @inlinable
    public mutating func bool() -> Bool? {
        if self.literal("true") { return true }
        if self.literal("false") { return false }
        return nil
    }

    /// A JSON integer that fits an `Int`: no fraction, no exponent, no leading zero.
    @inlinable
    public mutating func int() -> Int? {
        self.int64().map(Int.init)
    }

    /// A JSON integer that fits an `Int64`: no fraction, no exponent, no leading zero.
    @inlinable
    public mutating func int64() -> Int64? {
        let negative = self.position < self.bytes.count && self.bytes[self.position] == UInt8(ascii: "-")
        if negative { self.position += 1 }
        guard let magnitude = self.unsigned() else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// A JSON integer without a sign that fits a `UInt64`.
    @inlinable
    public mutating func unsigned() -> UInt64? {
        let start = self.position
        var result: UInt64 = 0
        while self.position < self.bytes.count, (0x30...0x39).contains(self.bytes[self.position]) {
            let (times, overflow) = result.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times.addingReportingOverflow(UInt64(self.bytes[self.position] &- 0x30))
            guard !overflow, !carry else { return nil }
            result = sum
            self.position += 1
        }
        let count = self.position - start
        guard count > 0, count == 1 || self.bytes[start] != 0x30 else { return nil }
        if self.position < self.bytes.count {
            switch self.bytes[self.position] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
            default: break
            }
        }
        return result
    }

    /// A finite JSON number of any form, as `Double` reads its text (the
    /// nearest value, as `JSONDecoder` takes it); nil for a number out of
    /// `Double`'s range.
    public mutating func double() -> Double? {
        let start = self.position
        if self.position < self.bytes.count, self.bytes[self.position] == UInt8(ascii: "-") { self.position += 1 }
        guard self.digits(leadingZero: false) else { return nil }
        if self.position < self.bytes.count, self.bytes[self.position] == UInt8(ascii: ".") {
            self.position += 1
            guard self.digits(leadingZero: true) else { return nil }
        }
        if self.position < self.bytes.count, self.bytes[self.position] | 0x20 == UInt8(ascii: "e") {
            self.position += 1
            if self.position < self.bytes.count, self.bytes[self.position] == UInt8(ascii: "+") || self.bytes[self.position] == UInt8(ascii: "-") {
                self.position += 1
            }
            guard self.digits(leadingZero: true) else { return nil }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: self.bytes[start..<self.position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// One or more digits; without `leadingZero`, a first `0` stands alone.
    @usableFromInline
    mutating func digits(leadingZero: Bool) -> Bool {
        let start = self.position
        while self.position < self.bytes.count, (0x30...0x39).contains(self.bytes[self.position]) {
            self.position += 1
        }
        let count = self.position - start
        return count > 0 && (leadingZero || count == 1 || self.bytes[start] != 0x30)
    }

    /// A JSON string, its escapes resolved; nil for unescaped control
    /// characters, bad escapes, lone surrogates and invalid UTF-8.
    @inlinable
    public mutating func string() -> String? {
        self.skipWhitespace()
        guard self.position < self.bytes.count, self.bytes[self.position] == UInt8(ascii: "\"") else { return nil }
        self.position += 1
        let start = self.position
        while self.position < self.bytes.count {
            switch self.bytes[self.position] {
            case UInt8(ascii: "\""):
                let text = Self.validString(UnsafeBufferPointer(rebasing: self.bytes[start..<self.position]))
                self.position += 1
                return text
            case UInt8(ascii: "\\"):
                return self.escapedString(from: start)
            case 0..<0x20:
                return nil
            default:
                self.position += 1
            }
        }
        return nil
    }

    /// Skips one value of any kind, checking it as strictly as the readers
    /// above do: strings must be valid UTF-8 with valid escapes, numbers must
    /// be integers (a fraction or an exponent is left to `JSONDecoder`), and
    /// nesting stops at ``maximumDepth``.
    public mutating func skipValue() -> Bool {
        self.skipWhitespace()
        guard self.position < self.bytes.count else { return false }
        switch self.bytes[self.position] {
        case UInt8(ascii: "\""):
            return self.skipString()
        case UInt8(ascii: "{"):
            return self.object { cursor, _ in cursor.skipValue() }
        case UInt8(ascii: "["):
            return self.array { cursor in cursor.skipValue() ? true : nil } != nil
        case UInt8(ascii: "t"):
            return self.literal("true")
        case UInt8(ascii: "f"):
            return self.literal("false")
        case UInt8(ascii: "n"):
            return self.literal("null")
        default:
            return self.int64() != nil
        }
    }

    /// A key: the raw bytes when it holds no escape (the common case, no
    /// copy), else the decoded string.
    @usableFromInline
    mutating func key() -> JSONKey? {
        self.skipWhitespace()
        guard self.position < self.bytes.count, self.bytes[self.position] == UInt8(ascii: "\"") else { return nil }
        let start = self.position + 1
        var end = start
        var bits: UInt8 = 0
        while end < self.bytes.count {
            let byte = self.bytes[end]
            switch byte {
            case UInt8(ascii: "\""):
                let raw = UnsafeBufferPointer(rebasing: self.bytes[start..<end])
                // Keys are ASCII in every shape read by hand; a key with any
                // other byte is validated here, so that a match can compare bytes.
                guard bits < 0x80 || Self.isValidUTF8(raw) else { return nil }
                self.position = end + 1
                return JSONKey(raw: raw)
            case UInt8(ascii: "\\"):
                return self.string().map(JSONKey.init(decoded:))
            case 0..<0x20:
                return nil
            default:
                bits |= byte
                end += 1
            }
        }
        return nil
    }

    /// Skips a string (the cursor on its opening quote) without copying it
    /// unless it holds an escape.
    @usableFromInline
    mutating func skipString() -> Bool {
        let quote = self.position
        var end = quote + 1
        while end < self.bytes.count {
            switch self.bytes[end] {
            case UInt8(ascii: "\""):
                guard Self.isValidUTF8(UnsafeBufferPointer(rebasing: self.bytes[(quote + 1)..<end])) else { return false }
                self.position = end + 1
                return true
            case UInt8(ascii: "\\"):
                return self.string() != nil
            case 0..<0x20:
                return false
            default:
                end += 1
            }
        }
        return false
    }

    @usableFromInline
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        (try? UTF8Span(validating: bytes.span)) != nil
    }

    /// `bytes` as a string, nil when they are not valid UTF-8. Through
    /// `UTF8Span`, whose validator is compiled for UTF-8 bytes: the generic
    /// `String(validating:as:)` looked its types up at run time on every call.
    @usableFromInline
    static func validString(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard let text = try? UTF8Span(validating: bytes.span) else { return nil }
        return String(copying: text)
    }

    /// The rest of a string that holds escapes, from its first byte at `start`.
    @usableFromInline
    mutating func escapedString(from start: Int) -> String? {
        var text = Array(self.bytes[start..<self.position])
        while self.position < self.bytes.count {
            let byte = self.bytes[self.position]
            self.position += 1
            switch byte {
            case UInt8(ascii: "\""):
                return text.withUnsafeBufferPointer { Self.validString($0) }
            case UInt8(ascii: "\\"):
                guard self.position < self.bytes.count else { return nil }
                let escape = self.bytes[self.position]
                self.position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = self.unicodeEscape() else { return nil }
                    text.append(contentsOf: String(Character(scalar)).utf8)
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                text.append(byte)
            }
        }
        return nil
    }

    /// The scalar of `\uXXXX` (the `\u` read), or of a surrogate pair `\uD8xx\uDCxx`.
    @usableFromInline
    mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let high = self.hex4() else { return nil }
        switch high {
        case 0xD800..<0xDC00:
            guard self.literal("\\u"), let low = self.hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        case 0xDC00..<0xE000:
            return nil
        default:
            return Unicode.Scalar(high)
        }
    }

    @usableFromInline
    mutating func hex4() -> UInt32? {
        guard self.bytes.count - self.position >= 4 else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.position]
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
            self.position += 1
        }
        return value
    }

    /// Skips `text` if it is next.
    @usableFromInline
    mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard self.bytes.count - self.position >= count else { return false }
        for offset in 0..<count where self.bytes[self.position + offset] != text.utf8Start[offset] {
            return false
        }
        self.position += count
        return true
    }

    /// Skips whitespace, then `byte` if it is next.
    @usableFromInline
    mutating func take(_ byte: UInt8) -> Bool {
        self.skipWhitespace()
        guard self.position < self.bytes.count, self.bytes[self.position] == byte else { return false }
        self.position += 1
        return true
    }

    @usableFromInline
    mutating func skipWhitespace() {
        while self.position < self.bytes.count {
            switch self.bytes[self.position] {
            case 0x20, 0x0A, 0x0D, 0x09: self.position += 1
            default: return
            }
        }
    }
}

/// An object's key as ``JSONCursor/object(_:)`` read it; match it against
/// literals in a `switch` (`case "chat":`).
public struct JSONKey {
    @usableFromInline let raw: UnsafeBufferPointer<UInt8>?
    @usableFromInline let decoded: String?

    @usableFromInline init(raw: UnsafeBufferPointer<UInt8>) {
        self.raw = raw
        self.decoded = nil
    }

    @usableFromInline init(decoded: String) {
        self.raw = nil
        self.decoded = decoded
    }

    /// The key as a string (a copy).
    @inlinable
    public var string: String {
        if let raw { return String(decoding: raw, as: UTF8.self) }
        return self.decoded ?? ""
    }

    /// Whether `key` is `literal`, byte for byte.
    @inlinable
    public static func ~= (literal: StaticString, key: JSONKey) -> Bool {
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
        if let raw = key.raw {
            return raw.count == expected.count && raw.elementsEqual(expected)
        }
        guard let decoded = key.decoded else { return false }
        return decoded.utf8.elementsEqual(expected)
    }
}
