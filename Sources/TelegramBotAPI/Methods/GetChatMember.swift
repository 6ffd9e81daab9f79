/// Parameters of `getChatMember`: returns a user's ``ChatMember`` status in a chat.
public struct GetChatMember: BotAPIMethod, Hashable {
    public typealias Result = ChatMember
    public static let name = "getChatMember"

    public var chatID: Int64
    public var userID: Int64

    /// Creates the parameters.
    public init(chatID: Int64, userID: Int64) {
        self.chatID = chatID
        self.userID = userID
    }

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case userID = "user_id"
    }
}
