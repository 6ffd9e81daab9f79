/// How Telegram reads formatting in a text or caption (`parse_mode`).
public struct ParseMode: RawRepresentable, Codable, Sendable, Hashable {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// `<b>bold</b>`; escape `<`, `>` and `&` in user text.
    public static let html = ParseMode(rawValue: "HTML")
    /// `*bold*`; escape `_*[]()~`>#+-=|{}.!` in user text.
    public static let markdownV2 = ParseMode(rawValue: "MarkdownV2")
}
