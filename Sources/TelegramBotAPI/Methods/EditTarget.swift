/// The message an edit applies to: one the bot sent to a chat, or one sent
/// through the bot in inline mode.
public enum EditTarget: Sendable, Hashable, Codable {
    case message(chatID: Int64, messageID: Int)
    case inlineMessage(id: String)

    private enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case messageID = "message_id"
        case inlineMessageID = "inline_message_id"
    }

    /// Encodes its fields into the enclosing parameters object.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .message(let chatID, let messageID):
            try container.encode(chatID, forKey: .chatID)
            try container.encode(messageID, forKey: .messageID)
        case .inlineMessage(let id):
            try container.encode(id, forKey: .inlineMessageID)
        }
    }

    /// Decodes its fields from the enclosing parameters object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let id = try container.decodeIfPresent(String.self, forKey: .inlineMessageID) {
            self = .inlineMessage(id: id)
        } else {
            self = .message(
                chatID: try container.decode(Int64.self, forKey: .chatID),
                messageID: try container.decode(Int.self, forKey: .messageID)
            )
        }
    }

    /// The chat the edit goes to; nil for an inline message.
    public var chatID: Int64? {
        if case .message(let chatID, _) = self { return chatID }
        return nil
    }
}

/// What an edit returns: the edited message, or (for an inline message,
/// which Telegram does not return) only that it was edited.
public enum EditedMessage: Decodable, Sendable, Hashable {
    case message(Message)
    case inlineMessage

    /// Decodes `true` or a message object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let edited = try? container.decode(Bool.self), edited {
            self = .inlineMessage
        } else {
            self = .message(try container.decode(Message.self))
        }
    }
}
