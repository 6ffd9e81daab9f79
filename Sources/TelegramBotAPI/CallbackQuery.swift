/// A press of an inline keyboard button (Bot API `CallbackQuery`).
///
/// Every callback query must be answered with `answerCallbackQuery`, even
/// with no text, or the user's client keeps showing a progress indicator.
public struct CallbackQuery: Codable, Sendable, Hashable {
    public var id: String
    /// The user who pressed the button.
    public var from: User
    /// The message with the button; absent for a button of an inline-mode message.
    public var message: MaybeInaccessibleMessage?
    /// Set instead of `message` for a button of an inline-mode message.
    public var inlineMessageID: String?
    /// Identifies the chat the button was pressed in; useful for games and
    /// high scores.
    public var chatInstance: String
    /// The button's `callback_data`. Treat it as untrusted input: a client can
    /// send any data.
    public var data: String?
    public var gameShortName: String?

    /// Creates a callback query; used by emulators and tests.
    public init(
        id: String,
        from: User,
        message: MaybeInaccessibleMessage? = nil,
        inlineMessageID: String? = nil,
        chatInstance: String,
        data: String? = nil,
        gameShortName: String? = nil
    ) {
        self.id = id
        self.from = from
        self.message = message
        self.inlineMessageID = inlineMessageID
        self.chatInstance = chatInstance
        self.data = data
        self.gameShortName = gameShortName
    }

    enum CodingKeys: String, CodingKey {
        case id
        case from
        case message
        case inlineMessageID = "inline_message_id"
        case chatInstance = "chat_instance"
        case data
        case gameShortName = "game_short_name"
    }
}

/// A message the bot may no longer be able to read (Bot API
/// `MaybeInaccessibleMessage`): a deleted or too old message arrives with
/// `date` 0 and only its chat and id.
public enum MaybeInaccessibleMessage: Codable, Sendable, Hashable {
    case accessible(Message)
    case inaccessible(InaccessibleMessage)

    /// The chat the message is (or was) in.
    public var chat: Chat {
        switch self {
        case .accessible(let message): message.chat
        case .inaccessible(let message): message.chat
        }
    }

    public var messageID: Int {
        switch self {
        case .accessible(let message): message.messageID
        case .inaccessible(let message): message.messageID
        }
    }

    /// The full message, when the bot can still read it.
    public var accessibleMessage: Message? {
        if case .accessible(let message) = self { return message }
        return nil
    }

    private enum CodingKeys: String, CodingKey {
        case date
    }

    public init(from decoder: any Decoder) throws {
        // Telegram's documented discriminator: an inaccessible message has date 0.
        let date = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .date)
        if date == 0 {
            self = .inaccessible(try InaccessibleMessage(from: decoder))
        } else {
            self = .accessible(try Message(from: decoder))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .accessible(let message): try message.encode(to: encoder)
        case .inaccessible(let message): try message.encode(to: encoder)
        }
    }
}

/// A message that was deleted or is otherwise inaccessible to the bot
/// (Bot API `InaccessibleMessage`).
public struct InaccessibleMessage: Codable, Sendable, Hashable {
    public var chat: Chat
    public var messageID: Int

    /// Creates an inaccessible message; used by emulators and tests.
    public init(chat: Chat, messageID: Int) {
        self.chat = chat
        self.messageID = messageID
    }

    private enum CodingKeys: String, CodingKey {
        case chat
        case messageID = "message_id"
        case date
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.chat = try container.decode(Chat.self, forKey: .chat)
        self.messageID = try container.decode(Int.self, forKey: .messageID)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(chat, forKey: .chat)
        try container.encode(messageID, forKey: .messageID)
        try container.encode(0, forKey: .date)
    }
}
