/// A chat: private, group, supergroup or channel (Bot API `Chat`).
public struct Chat: Codable, Sendable, Hashable {
    /// The kind of a chat, kept as Telegram's string so that a kind added later
    /// still decodes instead of failing the whole update (coded as the bare
    /// string by the standard library's `RawRepresentable` conformance).
    public struct Kind: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        public static let `private` = Kind(rawValue: "private")
        public static let group = Kind(rawValue: "group")
        public static let supergroup = Kind(rawValue: "supergroup")
        public static let channel = Kind(rawValue: "channel")

        /// Group or supergroup: many members, each with a conversation of their own.
        public var isGroup: Bool { self == .group || self == .supergroup }

        public var description: String { rawValue }
    }

    /// The chat's id; up to 52 significant bits, negative for groups and channels.
    public var id: Int64
    public var type: Kind
    public var title: String?
    public var username: String?
    public var firstName: String?
    public var lastName: String?
    /// True for a supergroup with topics, where `Message.messageThreadID` names the topic.
    public var isForum: Bool?

    /// Creates a chat; used by emulators and tests.
    public init(
        id: Int64,
        type: Kind,
        title: String? = nil,
        username: String? = nil,
        firstName: String? = nil,
        lastName: String? = nil,
        isForum: Bool? = nil
    ) {
        self.id = id
        self.type = type
        self.title = title
        self.username = username
        self.firstName = firstName
        self.lastName = lastName
        self.isForum = isForum
    }

    enum CodingKeys: String, CodingKey {
        case id
        case type
        case title
        case username
        case firstName = "first_name"
        case lastName = "last_name"
        case isForum = "is_forum"
    }
}
