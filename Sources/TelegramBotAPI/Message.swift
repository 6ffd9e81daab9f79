/// A message in a chat (Bot API `Message`), with the fields the gateway reads.
/// Fields it does not model are ignored when decoding.
public struct Message: Codable, Sendable, Hashable {
    /// Unique within its chat.
    public var messageID: Int
    /// The forum topic (or the reply thread) the message belongs to.
    public var messageThreadID: Int?
    /// The sender; absent in channels.
    public var from: User?
    /// The chat the message was sent on behalf of: a channel, or the group itself
    /// for an anonymous administrator.
    public var senderChat: Chat?
    public var chat: Chat
    /// Unix time the message was sent.
    public var date: Int
    /// Unix time the message was last edited.
    public var editDate: Int?
    public var text: String?
    /// Commands, mentions, links… in `text`.
    public var entities: [MessageEntity]?
    /// Caption of a photo or other media.
    public var caption: String?
    /// Commands, mentions, links… in `caption`.
    public var captionEntities: [MessageEntity]?
    /// The sizes of a photo, smallest first.
    public var photo: [PhotoSize]?
    public var contact: Contact?
    public var location: Location?
    /// The inline keyboard attached to the message.
    public var replyMarkup: InlineKeyboardMarkup?
    private var replyStorage: Indirect<Message>?

    /// The message this one replies to. Telegram does not nest further: the
    /// replied-to message carries no `reply_to_message` of its own.
    public var replyToMessage: Message? {
        get { replyStorage?.value }
        set { replyStorage = newValue.map(Indirect.value) }
    }

    /// Creates a message; used by emulators and tests.
    public init(
        messageID: Int,
        messageThreadID: Int? = nil,
        from: User? = nil,
        senderChat: Chat? = nil,
        chat: Chat,
        date: Int,
        editDate: Int? = nil,
        replyToMessage: Message? = nil,
        text: String? = nil,
        entities: [MessageEntity]? = nil,
        caption: String? = nil,
        captionEntities: [MessageEntity]? = nil,
        photo: [PhotoSize]? = nil,
        contact: Contact? = nil,
        location: Location? = nil,
        replyMarkup: InlineKeyboardMarkup? = nil
    ) {
        self.messageID = messageID
        self.messageThreadID = messageThreadID
        self.from = from
        self.senderChat = senderChat
        self.chat = chat
        self.date = date
        self.editDate = editDate
        self.text = text
        self.entities = entities
        self.caption = caption
        self.captionEntities = captionEntities
        self.photo = photo
        self.contact = contact
        self.location = location
        self.replyMarkup = replyMarkup
        self.replyToMessage = replyToMessage
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case messageThreadID = "message_thread_id"
        case from
        case senderChat = "sender_chat"
        case chat
        case date
        case editDate = "edit_date"
        case replyStorage = "reply_to_message"
        case text
        case entities
        case caption
        case captionEntities = "caption_entities"
        case photo
        case contact
        case location
        case replyMarkup = "reply_markup"
    }
}
