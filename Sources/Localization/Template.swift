/// The `{name}` placeholders of a message text: finding and filling them.
///
/// A name is an ASCII letter or `_`, then letters, digits or `_`. Braces
/// around anything else (`{ }`, `{1}`) are plain text, so a message may show
/// braces without an escape syntax.
public enum Template {
    private enum Segment {
        case literal(Substring)
        case placeholder(Substring)
    }

    /// The placeholder names of `text`, in order, repeats included.
    static func placeholders(in text: String) -> [String] {
        self.segments(of: text).compactMap { segment in
            if case .placeholder(let name) = segment { String(name) } else { nil }
        }
    }

    /// `text` with each placeholder replaced by its argument; a placeholder
    /// without one stays as written, so the gap shows instead of vanishing.
    public static func render(_ text: String, arguments: [String: MessageArgument]) -> String {
        // Most texts (button labels among them) have no braces: returned without a scan for names.
        guard text.utf8.contains(UInt8(ascii: "{")) else { return text }
        let segments = self.segments(of: text)
        if segments.count == 1 { return text }
        // One pass over the template: an argument's own text (a user's
        // description may contain "{name}") is never scanned for placeholders.
        var result = ""
        result.reserveCapacity(text.utf8.count + 16)
        for segment in segments {
            switch segment {
            case .literal(let literal):
                result += literal
            case .placeholder(let name):
                result += arguments[String(name)]?.description ?? "{\(name)}"
            }
        }
        return result
    }

    /// The literals and placeholders of `text`. Scanned as UTF-8: braces and
    /// names are ASCII, and an ASCII byte never occurs inside another
    /// character's bytes, so this finds what a scan by characters finds
    /// (several times faster; templates are rendered for every reply).
    private static func segments(of text: String) -> [Segment] {
        var segments: [Segment] = []
        let utf8 = text.utf8
        var literalStart = utf8.startIndex
        var index = utf8.startIndex
        while let open = utf8[index...].firstIndex(of: UInt8(ascii: "{")) {
            let nameStart = utf8.index(after: open)
            guard let close = utf8[nameStart...].firstIndex(of: UInt8(ascii: "}")) else { break }
            let name = text[nameStart..<close]
            if Self.isName(name) {
                segments.append(.literal(text[literalStart..<open]))
                segments.append(.placeholder(name))
                index = utf8.index(after: close)
                literalStart = index
            } else {
                index = nameStart
            }
        }
        segments.append(.literal(text[literalStart...]))
        return segments
    }

    private static func isName(_ name: Substring) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || Self.isLetter(first) else {
            return false
        }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || Self.isLetter($0) || (0x30...0x39).contains($0) }
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }
}
