import Foundation

/// Finds the byte ranges of the members of a JSON object or the elements of
/// a JSON array, so parts of a backend's answer can be kept or decoded as
/// the very bytes it sent — a number or a key order is never re-encoded.
///
/// It walks a document that ``isValid(_:)`` accepted; it does not validate.
enum JSONSpans {
    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// Whether `bytes` hold exactly one JSON value, of any type.
    static func isValid(_ bytes: some Collection<UInt8>) -> Bool {
        (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
    }

    /// The members of the object that `range` of `bytes` holds, in order;
    /// nil when the value there is not an object.
    static func members(_ bytes: [UInt8], in range: Range<Int>) -> [(key: String, value: Range<Int>)]? {
        var index = skipWhitespace(bytes, from: range.lowerBound, to: range.upperBound)
        guard index < range.upperBound, bytes[index] == UInt8(ascii: "{") else { return nil }
        var members: [(key: String, value: Range<Int>)] = []
        index = skipWhitespace(bytes, from: index + 1, to: range.upperBound)
        if index < range.upperBound, bytes[index] == UInt8(ascii: "}") { return members }
        while index < range.upperBound, bytes[index] == quote {
            let keyStart = index
            index = skipString(bytes, from: index)
            let key = decodeString(bytes[keyStart..<index])
            index = skipWhitespace(bytes, from: index, to: range.upperBound)
            guard index < range.upperBound, bytes[index] == UInt8(ascii: ":") else { return nil }
            let valueStart = skipWhitespace(bytes, from: index + 1, to: range.upperBound)
            index = skipValue(bytes, from: valueStart, to: range.upperBound)
            members.append((key, valueStart..<index))
            index = skipWhitespace(bytes, from: index, to: range.upperBound)
            guard index < range.upperBound, bytes[index] == UInt8(ascii: ",") else { break }
            index = skipWhitespace(bytes, from: index + 1, to: range.upperBound)
        }
        return members
    }

    /// The elements of the array that `range` of `bytes` holds, in order;
    /// nil when the value there is not an array.
    static func elements(_ bytes: [UInt8], in range: Range<Int>) -> [Range<Int>]? {
        var index = skipWhitespace(bytes, from: range.lowerBound, to: range.upperBound)
        guard index < range.upperBound, bytes[index] == UInt8(ascii: "[") else { return nil }
        var elements: [Range<Int>] = []
        index = skipWhitespace(bytes, from: index + 1, to: range.upperBound)
        if index < range.upperBound, bytes[index] == UInt8(ascii: "]") { return elements }
        while index < range.upperBound {
            let start = index
            index = skipValue(bytes, from: index, to: range.upperBound)
            elements.append(start..<index)
            index = skipWhitespace(bytes, from: index, to: range.upperBound)
            guard index < range.upperBound, bytes[index] == UInt8(ascii: ",") else { break }
            index = skipWhitespace(bytes, from: index + 1, to: range.upperBound)
        }
        return elements
    }

    /// `range` of `bytes` without the whitespace around it.
    static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isWhitespace(bytes[lower]) { lower += 1 }
        while upper > lower, isWhitespace(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    /// Appends `text` as a JSON string, escaping what JSON requires.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(quote)
        for byte in text.utf8 {
            switch byte {
            case quote, backslash:
                output.append(backslash)
                output.append(byte)
            case UInt8(ascii: "\n"): output.append(contentsOf: #"\n"#.utf8)
            case UInt8(ascii: "\r"): output.append(contentsOf: #"\r"#.utf8)
            case UInt8(ascii: "\t"): output.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                let hex = String(byte, radix: 16)
                output.append(contentsOf: (#"\u"# + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default:
                output.append(byte)
            }
        }
        output.append(quote)
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0a || byte == 0x0d || byte == 0x09
    }

    private static func skipWhitespace(_ bytes: [UInt8], from start: Int, to end: Int) -> Int {
        var index = start
        while index < end, isWhitespace(bytes[index]) { index += 1 }
        return index
    }

    /// The index just past the string that opens at `start`.
    private static func skipString(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start + 1
        while index < bytes.count, bytes[index] != quote {
            index += bytes[index] == backslash ? 2 : 1
        }
        return min(index + 1, bytes.count)
    }

    /// The index just past the value that starts at `start`.
    private static func skipValue(_ bytes: [UInt8], from start: Int, to end: Int) -> Int {
        guard start < end else { return end }
        switch bytes[start] {
        case quote:
            return skipString(bytes, from: start)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            repeat {
                switch bytes[index] {
                case quote:
                    index = skipString(bytes, from: index)
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                default:
                    break
                }
                index += 1
            } while depth > 0 && index < end
            return index
        default:
            var index = start
            while index < end, !isWhitespace(bytes[index]), ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]")].contains(bytes[index]) {
                index += 1
            }
            return index
        }
    }

    /// The text of a JSON string literal, quotes included in `literal`.
    private static func decodeString(_ literal: ArraySlice<UInt8>) -> String {
        guard literal.contains(backslash) else {
            return String(decoding: literal.dropFirst().dropLast(), as: UTF8.self)
        }
        return (try? JSONDecoder().decode(String.self, from: Data(literal))) ?? ""
    }
}
