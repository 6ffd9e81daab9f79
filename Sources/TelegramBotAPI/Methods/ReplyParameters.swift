/// Which message a new message replies to (Bot API `ReplyParameters`).
public struct ReplyParameters: Codable, Sendable, Hashable {
    /// The message replied to, in the same chat unless `chatID` is set.
    public var messageID: Int
    /// The chat of the message replied to, when it is another chat.
    public var chatID: Int64?
    /// Send even if the message replied to is gone.
    public var allowSendingWithoutReply: Bool?
    /// The part of the message replied to to quote; must match it exactly.
    public var quote: String?

    /// Creates reply parameters.
    public init(messageID: Int, chatID: Int64? = nil, allowSendingWithoutReply: Bool? = nil, quote: String? = nil) {
        self.messageID = messageID
        self.chatID = chatID
        self.allowSendingWithoutReply = allowSendingWithoutReply
        self.quote = quote
    }

    enum CodingKeys: String, CodingKey {
        case messageID = "message_id"
        case chatID = "chat_id"
        case allowSendingWithoutReply = "allow_sending_without_reply"
        case quote
    }
}
