/// One strict pass over a JSON body before `JSONDecoder` sees it.
///
/// `JSONDecoder` on Linux reports a syntax error, an integer too large for its
/// field, or a fraction in an integer field all as "not valid JSON", with no
/// offset and no path, accepts trailing commas, and allows 512 levels of
/// nesting. This pass gives those cases byte offsets and paths, and bounds the
/// nesting so that hostile input cannot make decoding recurse deeply.
struct JSONPreflight {
    private let bytes: UnsafeRawBufferPointer
    private let maximumDepth: Int
    private var position = 0
    private var path: [PathComponent] = []
    /// Paths of numbers written with a fraction or an exponent; one of them is
    /// the culprit when `JSONDecoder` later rejects a number without a path.
    private(set) var nonIntegerNumberPaths: [String] = []

    enum PathComponent {
        case key(String)
        case index(Int)
    }

    init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    /// Checks the body; it must be one JSON object.
    mutating func run() throws(UpdateDecodingError) {
        if let offset = Self.firstInvalidUTF8Offset(in: bytes) {
            throw UpdateDecodingError(code: .invalidUTF8, byteOffset: offset, reason: "invalid UTF-8")
        }
        skipWhitespace()
        guard position < bytes.count else {
            throw UpdateDecodingError(code: .invalidJSON, byteOffset: position, reason: "empty body: expected a JSON object")
        }
        guard bytes[position] == UInt8(ascii: "{") else {
            throw UpdateDecodingError(code: .notAnObject, byteOffset: position, reason: "the body is not a JSON object")
        }
        try value(depth: 0)
        skipWhitespace()
        guard position == bytes.count else {
            throw syntaxError("unexpected data after the JSON object")
        }
    }

    static func render(_ path: [PathComponent]) -> String {
        var result = ""
        for component in path {
            switch component {
            case .key(let key): result += result.isEmpty ? key : ".\(key)"
            case .index(let index): result += "[\(index)]"
            }
        }
        return result
    }

    /// Where the first invalid UTF-8 sequence starts; nil when there is none.
    /// The standard library's validator (`UTF8Span`) takes about a third of
    /// the instructions of decoding scalar by scalar.
    private static func firstInvalidUTF8Offset(in bytes: UnsafeRawBufferPointer) -> Int? {
        bytes.withMemoryRebound(to: UInt8.self) { bytes -> Int? in
            do throws(UTF8.ValidationError) {
                _ = try UTF8Span(validating: bytes.span)
                return nil
            } catch {
                return error.byteOffsets.lowerBound
            }
        }
    }

    private func syntaxError(_ reason: String) -> UpdateDecodingError {
        UpdateDecodingError(code: .invalidJSON, byteOffset: position, reason: "invalid JSON", detail: reason)
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(UpdateDecodingError) {
        skipWhitespace()
        guard position < bytes.count else { throw syntaxError("unexpected end, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): try object(depth: depth + 1)
        case UInt8(ascii: "["): try array(depth: depth + 1)
        case UInt8(ascii: "\""): _ = try string(capture: false)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw syntaxError("expected a value")
        }
    }

    private func checkDepth(_ depth: Int) throws(UpdateDecodingError) {
        guard depth <= maximumDepth else {
            throw UpdateDecodingError(
                code: .nestingTooDeep,
                byteOffset: position,
                reason: "objects and arrays nested deeper than \(maximumDepth) levels"
            )
        }
    }

    private mutating func object(depth: Int) throws(UpdateDecodingError) {
        try checkDepth(depth)
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw syntaxError("expected a string key")
            }
            let key = try string(capture: true) ?? ""
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw syntaxError("expected ':' after a key")
            }
            position += 1
            path.append(.key(key))
            try value(depth: depth)
            path.removeLast()
            skipWhitespace()
            guard position < bytes.count else { throw syntaxError("unexpected end, expected ',' or '}'") }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"): position += 1; return
            default: throw syntaxError("expected ',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws(UpdateDecodingError) {
        try checkDepth(depth)
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return
        }
        var index = 0
        while true {
            path.append(.index(index))
            try value(depth: depth)
            path.removeLast()
            skipWhitespace()
            guard position < bytes.count else { throw syntaxError("unexpected end, expected ',' or ']'") }
            switch bytes[position] {
            case UInt8(ascii: ","): position += 1; index += 1
            case UInt8(ascii: "]"): position += 1; return
            default: throw syntaxError("expected ',' or ']'")
            }
        }
    }

    /// Reads a string starting at its opening quote; returns its value when
    /// `capture` is set (for object keys, which make up paths).
    private mutating func string(capture: Bool) throws(UpdateDecodingError) -> String? {
        let start = position
        position += 1
        var hasEscapes = false
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard capture else { return nil }
                let literal = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
                if !hasEscapes {
                    return String(decoding: literal.dropFirst().dropLast(), as: UTF8.self)
                }
                return Self.unescape(literal)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                position += 1
                guard position < bytes.count else { throw syntaxError("unterminated string") }
                switch bytes[position] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    position += 1
                    for _ in 0..<4 {
                        guard position < bytes.count, Self.isHexDigit(bytes[position]) else {
                            throw syntaxError("expected four hex digits after \\u")
                        }
                        position += 1
                    }
                default:
                    throw syntaxError("invalid escape sequence")
                }
            case 0x00..<0x20:
                throw syntaxError("control character in a string")
            default:
                position += 1
            }
        }
        throw syntaxError("unterminated string")
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"), UInt8(ascii: "A")...UInt8(ascii: "F"):
            true
        default:
            false
        }
    }

    /// Decodes an escaped key; keys with escapes are rare, so this favours
    /// brevity over speed. The literal was validated already; a lone surrogate
    /// becomes U+FFFD, which still names the key well enough for a path.
    private static func unescape(_ literal: UnsafeRawBufferPointer) -> String {
        var utf8: [UInt8] = []
        var iterator = literal.dropFirst().dropLast().makeIterator()
        var highSurrogate: UInt32?
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "\\"), let escape = iterator.next() else {
                utf8.append(byte)
                continue
            }
            var scalar: Unicode.Scalar
            switch escape {
            case UInt8(ascii: "b"): scalar = "\u{08}"
            case UInt8(ascii: "f"): scalar = "\u{0C}"
            case UInt8(ascii: "n"): scalar = "\n"
            case UInt8(ascii: "r"): scalar = "\r"
            case UInt8(ascii: "t"): scalar = "\t"
            case UInt8(ascii: "u"):
                var code: UInt32 = 0
                for _ in 0..<4 {
                    code = code << 4 | UInt32(hexValue(iterator.next() ?? UInt8(ascii: "0")))
                }
                if (0xD800..<0xDC00).contains(code) {
                    highSurrogate = code
                    continue
                }
                if (0xDC00..<0xE000).contains(code), let high = highSurrogate {
                    code = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
                }
                scalar = Unicode.Scalar(code) ?? "\u{FFFD}"
            default:
                scalar = Unicode.Scalar(escape)
            }
            highSurrogate = nil
            utf8.append(contentsOf: String(scalar).utf8)
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        default: byte - UInt8(ascii: "A") + 10
        }
    }

    private mutating func literal(_ word: StaticString) throws(UpdateDecodingError) {
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - position >= expected.count,
            bytes[position..<position + expected.count].elementsEqual(expected)
        else {
            throw syntaxError("expected \(word)")
        }
        position += expected.count
    }

    private mutating func number() throws(UpdateDecodingError) {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, Self.isDigit(bytes[position]) else {
            throw syntaxError("expected a digit")
        }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            skipDigits()
        }
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard position < bytes.count, Self.isDigit(bytes[position]) else {
                throw syntaxError("expected a digit after '.'")
            }
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, Self.isDigit(bytes[position]) else {
                throw syntaxError("expected a digit in the exponent")
            }
            skipDigits()
        }
        if isInteger {
            // Telegram's integers all fit 64 bits; a longer one is hostile or
            // corrupt, wherever it stands.
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard Int64(text) != nil else {
                throw UpdateDecodingError(
                    code: .numberOutOfRange,
                    path: Self.render(path),
                    byteOffset: start,
                    reason: "integer out of the 64-bit range"
                )
            }
        } else if nonIntegerNumberPaths.count < Self.recordedNonIntegerNumbers {
            nonIntegerNumberPaths.append(Self.render(path))
        }
    }

    private static let recordedNonIntegerNumbers = 16

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private mutating func skipDigits() {
        while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
    }
}
