/// A change of a member's status in a chat (Bot API `ChatMemberUpdated`):
/// the bot's own (`my_chat_member`: added, blocked, removed) or another
/// member's (`chat_member`).
public struct ChatMemberUpdated: Codable, Sendable, Hashable {
    public var chat: Chat
    /// Who made the change.
    public var from: User
    /// Unix time of the change.
    public var date: Int
    public var oldChatMember: ChatMember
    public var newChatMember: ChatMember
    public var viaJoinRequest: Bool?

    /// Creates a member update; used by emulators and tests.
    public init(chat: Chat, from: User, date: Int, oldChatMember: ChatMember, newChatMember: ChatMember, viaJoinRequest: Bool? = nil) {
        self.chat = chat
        self.from = from
        self.date = date
        self.oldChatMember = oldChatMember
        self.newChatMember = newChatMember
        self.viaJoinRequest = viaJoinRequest
    }

    enum CodingKeys: String, CodingKey {
        case chat
        case from
        case date
        case oldChatMember = "old_chat_member"
        case newChatMember = "new_chat_member"
        case viaJoinRequest = "via_join_request"
    }
}

/// A member of a chat and their status (Bot API `ChatMember`, all six variants
/// flattened: the status tells them apart).
public struct ChatMember: Codable, Sendable, Hashable {
    /// A member's status, kept as Telegram's string so that statuses added later
    /// still decode.
    public struct Status: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        public static let creator = Status(rawValue: "creator")
        public static let administrator = Status(rawValue: "administrator")
        public static let member = Status(rawValue: "member")
        public static let restricted = Status(rawValue: "restricted")
        public static let left = Status(rawValue: "left")
        /// Banned; for the bot itself in a private chat: the user blocked the bot.
        public static let kicked = Status(rawValue: "kicked")

        public var description: String { rawValue }
    }

    public var status: Status
    public var user: User
    /// For `restricted` and `kicked`: Unix time the restriction ends; 0 means forever.
    public var untilDate: Int?
    /// For `restricted`: whether the user is still a member of the chat.
    public var isMember: Bool?

    /// True when the user is in the chat: for the bot's own status in a private
    /// chat, false means the user blocked the bot.
    public var isInChat: Bool {
        switch status {
        case .creator, .administrator, .member: true
        case .restricted: isMember ?? true
        default: false
        }
    }

    /// Creates a chat member; used by emulators and tests.
    public init(status: Status, user: User, untilDate: Int? = nil, isMember: Bool? = nil) {
        self.status = status
        self.user = user
        self.untilDate = untilDate
        self.isMember = isMember
    }

    enum CodingKeys: String, CodingKey {
        case status
        case user
        case untilDate = "until_date"
        case isMember = "is_member"
    }
}
