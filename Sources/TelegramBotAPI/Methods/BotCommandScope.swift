/// Who sees a list of bot commands (Bot API `BotCommandScope`). Telegram
/// picks the most specific scope that has commands for a user.
public enum BotCommandScope: Codable, Sendable, Hashable {
    /// Everyone, unless a narrower scope has commands.
    case `default`
    case allPrivateChats
    case allGroupChats
    case allChatAdministrators
    /// One chat.
    case chat(chatID: Int64)
    /// The administrators of one group or supergroup.
    case chatAdministrators(chatID: Int64)
    /// One member of one group or supergroup.
    case chatMember(chatID: Int64, userID: Int64)

    private enum CodingKeys: String, CodingKey {
        case type
        case chatID = "chat_id"
        case userID = "user_id"
    }

    /// The `type` field of each scope.
    private var type: String {
        switch self {
        case .default: "default"
        case .allPrivateChats: "all_private_chats"
        case .allGroupChats: "all_group_chats"
        case .allChatAdministrators: "all_chat_administrators"
        case .chat: "chat"
        case .chatAdministrators: "chat_administrators"
        case .chatMember: "chat_member"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .default, .allPrivateChats, .allGroupChats, .allChatAdministrators:
            break
        case .chat(let chatID), .chatAdministrators(let chatID):
            try container.encode(chatID, forKey: .chatID)
        case .chatMember(let chatID, let userID):
            try container.encode(chatID, forKey: .chatID)
            try container.encode(userID, forKey: .userID)
        }
    }

    /// Decodes a scope by its `type`; an unknown type is an error, since
    /// acting on the wrong audience would be worse than failing.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "default": self = .default
        case "all_private_chats": self = .allPrivateChats
        case "all_group_chats": self = .allGroupChats
        case "all_chat_administrators": self = .allChatAdministrators
        case "chat": self = .chat(chatID: try container.decode(Int64.self, forKey: .chatID))
        case "chat_administrators": self = .chatAdministrators(chatID: try container.decode(Int64.self, forKey: .chatID))
        case "chat_member":
            self = .chatMember(
                chatID: try container.decode(Int64.self, forKey: .chatID),
                userID: try container.decode(Int64.self, forKey: .userID)
            )
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown command scope \(type)")
        }
    }
}
