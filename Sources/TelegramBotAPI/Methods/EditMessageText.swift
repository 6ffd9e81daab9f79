/// Parameters of `editMessageText`: replaces a message's text (and its inline
/// keyboard, which is removed unless given again).
public struct EditMessageText: BotAPIMethod, Decodable, Hashable {
    public typealias Result = EditedMessage
    public static let name = "editMessageText"

    public var target: EditTarget
    public var text: String
    public var parseMode: ParseMode?
    public var entities: [MessageEntity]?
    public var linkPreviewOptions: LinkPreviewOptions?
    public var replyMarkup: InlineKeyboardMarkup?

    /// Creates the parameters.
    public init(
        _ target: EditTarget,
        text: String,
        parseMode: ParseMode? = nil,
        entities: [MessageEntity]? = nil,
        linkPreviewOptions: LinkPreviewOptions? = nil,
        replyMarkup: InlineKeyboardMarkup? = nil
    ) {
        self.target = target
        self.text = text
        self.parseMode = parseMode
        self.entities = entities
        self.linkPreviewOptions = linkPreviewOptions
        self.replyMarkup = replyMarkup
    }

    enum CodingKeys: String, CodingKey {
        case text
        case parseMode = "parse_mode"
        case entities
        case linkPreviewOptions = "link_preview_options"
        case replyMarkup = "reply_markup"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            try EditTarget(from: decoder),
            text: try container.decode(String.self, forKey: .text),
            parseMode: try container.decodeIfPresent(ParseMode.self, forKey: .parseMode),
            entities: try container.decodeIfPresent([MessageEntity].self, forKey: .entities),
            linkPreviewOptions: try container.decodeIfPresent(LinkPreviewOptions.self, forKey: .linkPreviewOptions),
            replyMarkup: try container.decodeIfPresent(InlineKeyboardMarkup.self, forKey: .replyMarkup)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        try target.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        try container.encodeIfPresent(parseMode, forKey: .parseMode)
        try container.encodeIfPresent(entities, forKey: .entities)
        try container.encodeIfPresent(linkPreviewOptions, forKey: .linkPreviewOptions)
        try container.encodeIfPresent(replyMarkup, forKey: .replyMarkup)
    }
}
