/// A Telegram user or bot (Bot API `User`).
public struct User: Codable, Sendable, Hashable {
    /// The user's id; fits in 52 bits, so `Int64` holds it exactly.
    public var id: Int64
    public var isBot: Bool
    public var firstName: String
    public var lastName: String?
    public var username: String?
    /// IETF language tag of the user's client, e.g. `en`; the default locale choice.
    public var languageCode: String?
    public var isPremium: Bool?

    /// Creates a user; used by emulators and tests, Telegram's own users come from decoding.
    public init(
        id: Int64,
        isBot: Bool = false,
        firstName: String,
        lastName: String? = nil,
        username: String? = nil,
        languageCode: String? = nil,
        isPremium: Bool? = nil
    ) {
        self.id = id
        self.isBot = isBot
        self.firstName = firstName
        self.lastName = lastName
        self.username = username
        self.languageCode = languageCode
        self.isPremium = isPremium
    }

    enum CodingKeys: String, CodingKey {
        case id
        case isBot = "is_bot"
        case firstName = "first_name"
        case lastName = "last_name"
        case username
        case languageCode = "language_code"
        case isPremium = "is_premium"
    }
}
