/// Parameters of `sendMessage`: sends a text message; returns the sent ``Message``.
public struct SendMessage: BotAPIMethod, Decodable, Hashable {
    public typealias Result = Message
    public static let name = "sendMessage"

    public var chatID: Int64
    /// The forum topic to post in.
    public var messageThreadID: Int?
    /// 1 to 4096 characters after entities are parsed.
    public var text: String
    public var parseMode: ParseMode?
    /// Formatting as explicit entities, instead of `parseMode`.
    public var entities: [MessageEntity]?
    public var linkPreviewOptions: LinkPreviewOptions?
    /// Deliver silently: no sound on the user's device.
    public var disableNotification: Bool?
    public var protectContent: Bool?
    public var replyParameters: ReplyParameters?
    public var replyMarkup: ReplyMarkup?

    /// Creates the parameters.
    public init(
        chatID: Int64,
        text: String,
        messageThreadID: Int? = nil,
        parseMode: ParseMode? = nil,
        entities: [MessageEntity]? = nil,
        linkPreviewOptions: LinkPreviewOptions? = nil,
        disableNotification: Bool? = nil,
        protectContent: Bool? = nil,
        replyParameters: ReplyParameters? = nil,
        replyMarkup: ReplyMarkup? = nil
    ) {
        self.chatID = chatID
        self.text = text
        self.messageThreadID = messageThreadID
        self.parseMode = parseMode
        self.entities = entities
        self.linkPreviewOptions = linkPreviewOptions
        self.disableNotification = disableNotification
        self.protectContent = protectContent
        self.replyParameters = replyParameters
        self.replyMarkup = replyMarkup
    }

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case messageThreadID = "message_thread_id"
        case text
        case parseMode = "parse_mode"
        case entities
        case linkPreviewOptions = "link_preview_options"
        case disableNotification = "disable_notification"
        case protectContent = "protect_content"
        case replyParameters = "reply_parameters"
        case replyMarkup = "reply_markup"
    }
}
