/// A query typed in inline mode, `@botname something` (Bot API `InlineQuery`).
public struct InlineQuery: Codable, Sendable, Hashable {
    public var id: String
    public var from: User
    /// The text of the query, up to 256 characters.
    public var query: String
    /// The offset of results to return, as the bot set it for the next page.
    public var offset: String
    /// The kind of chat the query was sent from: `sender` for the private chat
    /// with the bot itself, or a chat type.
    public var chatType: String?
    public var location: Location?

    /// Creates an inline query; used by emulators and tests.
    public init(id: String, from: User, query: String, offset: String = "", chatType: String? = nil, location: Location? = nil) {
        self.id = id
        self.from = from
        self.query = query
        self.offset = offset
        self.chatType = chatType
        self.location = location
    }

    enum CodingKeys: String, CodingKey {
        case id
        case from
        case query
        case offset
        case chatType = "chat_type"
        case location
    }
}
