/// A special span in a message's text or caption: a command, a mention, a link…
/// (Bot API `MessageEntity`).
///
/// `offset` and `length` count UTF-16 code units, as Telegram does; use
/// ``text(in:)`` rather than indexing a `String` by characters.
public struct MessageEntity: Codable, Sendable, Hashable {
    /// The kind of an entity, kept as Telegram's string so that kinds added later
    /// still decode.
    public struct Kind: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        public static let botCommand = Kind(rawValue: "bot_command")
        public static let mention = Kind(rawValue: "mention")
        public static let hashtag = Kind(rawValue: "hashtag")
        public static let cashtag = Kind(rawValue: "cashtag")
        public static let url = Kind(rawValue: "url")
        public static let email = Kind(rawValue: "email")
        public static let phoneNumber = Kind(rawValue: "phone_number")
        public static let bold = Kind(rawValue: "bold")
        public static let italic = Kind(rawValue: "italic")
        public static let underline = Kind(rawValue: "underline")
        public static let strikethrough = Kind(rawValue: "strikethrough")
        public static let spoiler = Kind(rawValue: "spoiler")
        public static let blockquote = Kind(rawValue: "blockquote")
        public static let code = Kind(rawValue: "code")
        public static let pre = Kind(rawValue: "pre")
        public static let textLink = Kind(rawValue: "text_link")
        public static let textMention = Kind(rawValue: "text_mention")
        public static let customEmoji = Kind(rawValue: "custom_emoji")

        public var description: String { rawValue }
    }

    public var type: Kind
    /// Start of the entity, in UTF-16 code units from the start of the text.
    public var offset: Int
    /// Length of the entity, in UTF-16 code units.
    public var length: Int
    /// For `text_link`: the URL opened on tap.
    public var url: String?
    /// For `text_mention`: the mentioned user, who may have no username.
    public var user: User?
    /// For `pre`: the programming language of the block.
    public var language: String?
    /// For `custom_emoji`: the emoji's id.
    public var customEmojiID: String?

    /// Creates an entity; used by emulators and tests.
    public init(
        type: Kind,
        offset: Int,
        length: Int,
        url: String? = nil,
        user: User? = nil,
        language: String? = nil,
        customEmojiID: String? = nil
    ) {
        self.type = type
        self.offset = offset
        self.length = length
        self.url = url
        self.user = user
        self.language = language
        self.customEmojiID = customEmojiID
    }

    /// The part of `text` this entity covers, measured in UTF-16 code units.
    ///
    /// Returns nil when the span lies outside `text` or cuts a character in half
    /// (a surrogate pair, say), which means the entity does not belong to this text.
    public func text(in text: String) -> Substring? {
        guard offset >= 0, length >= 0 else { return nil }
        let utf16 = text.utf16
        guard
            let start = utf16.index(utf16.startIndex, offsetBy: offset, limitedBy: utf16.endIndex),
            let end = utf16.index(start, offsetBy: length, limitedBy: utf16.endIndex),
            let lower = start.samePosition(in: text.unicodeScalars),
            let upper = end.samePosition(in: text.unicodeScalars)
        else { return nil }
        return text[lower..<upper]
    }

    enum CodingKeys: String, CodingKey {
        case type
        case offset
        case length
        case url
        case user
        case language
        case customEmojiID = "custom_emoji_id"
    }
}
