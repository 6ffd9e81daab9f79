/// Names one conversation: a private chat, a member within a group, or a channel.
/// Updates with the same key are handled one at a time, in order.
public struct ConversationKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public var chatID: Int64
    /// The member, for a conversation within a group; nil when the chat itself
    /// is the conversation.
    public var userID: Int64?

    /// Creates a key.
    public init(chatID: Int64, userID: Int64? = nil) {
        self.chatID = chatID
        self.userID = userID
    }

    /// `chatID` or `chatID:userID`; stable, usable in storage keys.
    public var description: String {
        if let userID { return "\(chatID):\(userID)" }
        return "\(chatID)"
    }

    enum CodingKeys: String, CodingKey {
        case chatID = "chat_id"
        case userID = "user_id"
    }
}
