/// Reads a catalog file: a JSON object whose values are strings or plural
/// objects such as `{"one": "{count} request", "other": "{count} requests"}`.
///
/// Written by hand rather than on `JSONSerialization` so that every error
/// carries its line and column, and a duplicate key is refused instead of
/// one of the two silently winning.
struct CatalogParser {
    private let bytes: [UInt8]
    private let file: String
    private var offset = 0

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    mutating func parse() throws(LocalizationError) -> [String: CatalogMessage] {
        if self.bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            self.offset = 3  // editors on Windows may write a UTF-8 byte order mark
        }
        self.skipWhitespace()
        guard self.peek() == UInt8(ascii: "{") else {
            throw self.error(at: self.offset, "a catalog must be a JSON object of message keys, found \(self.describeValue())")
        }
        var messages: [String: CatalogMessage] = [:]
        try self.parseObject { parser, key, keyOffset throws(LocalizationError) in
            guard Self.isValidKey(key) else {
                throw parser.error(at: keyOffset, "the key \"\(key)\" may only contain ASCII letters, digits, '_', '.' and '-'")
            }
            guard messages[key] == nil else {
                throw parser.error(at: keyOffset, "the key \"\(key)\" appears twice")
            }
            messages[key] = try parser.parseMessage(key: key)
        }
        self.skipWhitespace()
        guard self.offset == self.bytes.count else {
            throw self.error(at: self.offset, "\(self.describeValue()) after the end of the catalog object")
        }
        return messages
    }

    private mutating func parseMessage(key: String) throws(LocalizationError) -> CatalogMessage {
        switch self.peek() {
        case UInt8(ascii: "\""):
            return .text(try self.parseString())
        case UInt8(ascii: "{"):
            let objectOffset = self.offset
            var forms: [PluralCategory: String] = [:]
            try self.parseObject { parser, name, nameOffset throws(LocalizationError) in
                guard let category = PluralCategory(rawValue: name) else {
                    throw parser.error(
                        at: nameOffset,
                        "unknown plural category \"\(name)\" in \"\(key)\"; the categories are zero, one, two, few, many and other"
                    )
                }
                guard forms[category] == nil else {
                    throw parser.error(at: nameOffset, "the plural category \"\(name)\" appears twice in \"\(key)\"")
                }
                guard parser.peek() == UInt8(ascii: "\"") else {
                    throw parser.error(at: parser.offset, "the \"\(name)\" form of \"\(key)\" must be a string, found \(parser.describeValue())")
                }
                forms[category] = try parser.parseString()
            }
            guard !forms.isEmpty else {
                throw self.error(at: objectOffset, "the plural object of \"\(key)\" has no forms")
            }
            return .plural(forms)
        default:
            throw self.error(
                at: self.offset,
                "the value of \"\(key)\" must be a string or a plural object like {\"one\": \"…\", \"other\": \"…\"}, found \(self.describeValue())"
            )
        }
    }

    /// Reads `{ "name": value, … }`, handing each name and its offset to
    /// `member`, which must read the value.
    private mutating func parseObject(
        _ member: (inout CatalogParser, String, Int) throws(LocalizationError) -> Void
    ) throws(LocalizationError) {
        self.offset += 1
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "}") {
            self.offset += 1
            return
        }
        while true {
            self.skipWhitespace()
            let nameOffset = self.offset
            guard self.peek() == UInt8(ascii: "\"") else {
                throw self.error(at: self.offset, "expected a key in double quotes, found \(self.describeValue())")
            }
            let name = try self.parseString()
            self.skipWhitespace()
            guard self.peek() == UInt8(ascii: ":") else {
                throw self.error(at: self.offset, "expected ':' after \"\(name)\", found \(self.describeValue())")
            }
            self.offset += 1
            self.skipWhitespace()
            try member(&self, name, nameOffset)
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","):
                self.offset += 1
            case UInt8(ascii: "}"):
                self.offset += 1
                return
            default:
                throw self.error(at: self.offset, "expected ',' or '}' after the value of \"\(name)\", found \(self.describeValue())")
            }
        }
    }

    private mutating func parseString() throws(LocalizationError) -> String {
        let start = self.offset
        self.offset += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = self.peek() else {
                throw self.error(at: start, "the string that starts here is not closed")
            }
            switch byte {
            case UInt8(ascii: "\""):
                self.offset += 1
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw self.error(at: start, "the string that starts here is not valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                try self.parseEscape(into: &utf8)
            case 0..<0x20:
                throw self.error(at: self.offset, "a control character in a string; write a line break as \\n")
            default:
                utf8.append(byte)
                self.offset += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(LocalizationError) {
        let start = self.offset
        self.offset += 1
        guard let byte = self.peek() else {
            throw self.error(at: start, "the file ends inside an escape")
        }
        self.offset += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var value = try self.parseHex(escapeStart: start)
            if (0xD800..<0xDC00).contains(value) {
                // JSON writes a scalar above U+FFFF as a UTF-16 surrogate pair.
                let lowStart = self.offset
                guard self.bytes[self.offset...].starts(with: [UInt8(ascii: "\\"), UInt8(ascii: "u")]) else {
                    throw self.error(at: start, "a \\u escape of a high surrogate must be followed by a low one")
                }
                self.offset += 2
                let low = try self.parseHex(escapeStart: lowStart)
                guard (0xDC00..<0xE000).contains(low) else {
                    throw self.error(at: lowStart, "expected the low surrogate of a \\u pair")
                }
                value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(value) else {
                throw self.error(at: start, "a \\u escape of a lone surrogate")
            }
            utf8.append(contentsOf: String(Character(scalar)).utf8)
        default:
            throw self.error(at: start, "an unknown escape; JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX")
        }
    }

    /// Reads the four hex digits after `\u`.
    private mutating func parseHex(escapeStart: Int) throws(LocalizationError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = self.peek(), let digit = Self.hexValue(byte) else {
                throw self.error(at: escapeStart, "a \\u escape needs four hex digits")
            }
            value = value << 4 | digit
            self.offset += 1
        }
        return value
    }

    private func peek() -> UInt8? {
        self.offset < self.bytes.count ? self.bytes[self.offset] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = self.peek(), [0x20, 0x09, 0x0A, 0x0D].contains(byte) {
            self.offset += 1
        }
    }

    /// What starts at the current offset, in words for an error message.
    private func describeValue() -> String {
        guard let byte = self.peek() else {
            return "the end of the file"
        }
        switch byte {
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        default: return "byte 0x\(String(byte, radix: 16, uppercase: true))"
        }
    }

    private func error(at offset: Int, _ message: String) -> LocalizationError {
        let position = SourcePosition(offset: offset, in: self.bytes)
        return LocalizationError(code: .malformedCatalog, message: "\(self.file), \(position): \(message)", file: self.file, position: position)
    }

    private static func isValidKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                true
            default:
                false
            }
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
