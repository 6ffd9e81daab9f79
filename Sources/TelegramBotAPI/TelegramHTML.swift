/// Checks text against Telegram's HTML parse mode before it is sent, so a
/// broadcast is refused at its preview rather than by Telegram for every
/// recipient: only Telegram's tags, each closed in order, `<a>` with an
/// `href`, and `&` only as `&lt;`, `&gt;`, `&amp;`, `&quot;` or `&#…;`.
public enum TelegramHTML {
    static let tags: Set<String> = [
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji",
    ]

    /// What is wrong with `text` as Telegram HTML, or nil when Telegram will take it.
    public static func problem(in text: String) -> String? {
        var open: [String] = []
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "<" {
                guard let close = text[index...].firstIndex(of: ">") else { return "a \"<\" is not closed by \">\"; write &lt; for the sign" }
                let inner = text[text.index(after: index)..<close]
                if inner.hasPrefix("/") {
                    let name = inner.dropFirst().filter { $0 != " " }.lowercased()
                    guard let last = open.popLast() else { return "</\(name)> closes nothing" }
                    guard last == name else { return "</\(name)> closes <\(last)>" }
                } else {
                    let name = String(inner.prefix { $0 != " " && $0 != "\n" }).lowercased()
                    guard Self.tags.contains(name) else { return "<\(name.prefix(20))> is not a tag Telegram knows" }
                    if name == "a", !inner.contains("href=") { return "<a> needs an href" }
                    open.append(name)
                }
                index = text.index(after: close)
            } else if character == "&" {
                let rest = text[index...].prefix(12)
                guard let semicolon = rest.firstIndex(of: ";") else { return "an \"&\" is not an entity; write &amp; for the sign" }
                let entity = rest[rest.index(after: rest.startIndex)..<semicolon]
                let named: Set<Substring> = ["lt", "gt", "amp", "quot"]
                let numeric = entity.first == "#" && entity.count > 1 && entity.dropFirst().allSatisfy { $0.isHexDigit || $0 == "x" }
                guard named.contains(entity) || numeric else { return "&\(entity); is not an entity Telegram knows" }
                index = text.index(after: semicolon)
            } else {
                index = text.index(after: index)
            }
        }
        if let last = open.last { return "<\(last)> is not closed" }
        return nil
    }
}

