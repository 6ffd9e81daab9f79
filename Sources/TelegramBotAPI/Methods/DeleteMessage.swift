/// Parameters of `deleteMessage`: deletes a message (a bot's own within 48 hours).
public struct DeleteMessage: BotAPIMethod, Decodable, Hashable {
    public typealias Result = Bool
    public static let name = "deleteMessage"

    public var chatID: Int64
    public var messageID: Int

    /// Creates the parameters.
    public init(chatID: Int64, messageID: Int) {
        self.chatID = chatID
        self.messageID = messageID
    }

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case messageID = "message_id"
    }
}
