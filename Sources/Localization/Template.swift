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
        // One pass over the template: an argument's own text (a user's
        // description may contain "{name}") is never scanned for placeholders.
        var result = ""
        for segment in self.segments(of: text) {
            switch segment {
            case .literal(let literal):
                result += literal
            case .placeholder(let name):
                result += arguments[String(name)]?.description ?? "{\(name)}"
            }
        }
        return result
    }

    private static func segments(of text: String) -> [Segment] {
        var segments: [Segment] = []
        var literalStart = text.startIndex
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "{", let close = text[index...].firstIndex(of: "}") {
                let name = text[text.index(after: index)..<close]
                if Self.isName(name) {
                    segments.append(.literal(text[literalStart..<index]))
                    segments.append(.placeholder(name))
                    index = text.index(after: close)
                    literalStart = index
                    continue
                }
            }
            index = text.index(after: index)
        }
        segments.append(.literal(text[literalStart...]))
        return segments
    }

    private static func isName(_ name: Substring) -> Bool {
        guard let first = name.first, first == "_" || (first.isASCII && first.isLetter) else {
            return false
        }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }
}
