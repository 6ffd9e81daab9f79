/// Parameters of `sendPhoto`: sends a photo by `file_id`, by URL or as an
/// upload (then the call goes as `multipart/form-data`); returns the sent ``Message``.
public struct SendPhoto: BotAPIMethod, Decodable, Hashable {
    public typealias Result = Message
    public static let name = "sendPhoto"

    public var chatID: Int64
    public var messageThreadID: Int?
    public var photo: InputFile
    /// 0 to 1024 characters after entities are parsed.
    public var caption: String?
    public var parseMode: ParseMode?
    public var captionEntities: [MessageEntity]?
    public var hasSpoiler: Bool?
    public var disableNotification: Bool?
    public var protectContent: Bool?
    public var replyParameters: ReplyParameters?
    public var replyMarkup: ReplyMarkup?

    /// Creates the parameters.
    public init(
        chatID: Int64,
        photo: InputFile,
        messageThreadID: Int? = nil,
        caption: String? = nil,
        parseMode: ParseMode? = nil,
        captionEntities: [MessageEntity]? = nil,
        hasSpoiler: Bool? = nil,
        disableNotification: Bool? = nil,
        protectContent: Bool? = nil,
        replyParameters: ReplyParameters? = nil,
        replyMarkup: ReplyMarkup? = nil
    ) {
        self.chatID = chatID
        self.photo = photo
        self.messageThreadID = messageThreadID
        self.caption = caption
        self.parseMode = parseMode
        self.captionEntities = captionEntities
        self.hasSpoiler = hasSpoiler
        self.disableNotification = disableNotification
        self.protectContent = protectContent
        self.replyParameters = replyParameters
        self.replyMarkup = replyMarkup
    }

    public var uploads: [(field: String, file: FileUpload)] {
        photo.upload.map { [(CodingKeys.photo.rawValue, $0)] } ?? []
    }

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case messageThreadID = "message_thread_id"
        case photo
        case caption
        case parseMode = "parse_mode"
        case captionEntities = "caption_entities"
        case hasSpoiler = "has_spoiler"
        case disableNotification = "disable_notification"
        case protectContent = "protect_content"
        case replyParameters = "reply_parameters"
        case replyMarkup = "reply_markup"
    }
}
