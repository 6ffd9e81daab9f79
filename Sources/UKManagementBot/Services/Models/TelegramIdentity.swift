public import TelegramBotAPI

/// Who logs in: the body of `POST /api/v1/auth/telegram`.
public struct TelegramIdentity: Codable, Sendable, Hashable {
    public var telegramID: Int64
    public var username: String?
    public var firstName: String?
    public var lastName: String?
    /// Telegram's `language_code`, such as `ru`.
    public var languageCode: String?

    /// Creates an identity.
    public init(telegramID: Int64, username: String? = nil, firstName: String? = nil, lastName: String? = nil, languageCode: String? = nil) {
        self.telegramID = telegramID
        self.username = username
        self.firstName = firstName
        self.lastName = lastName
        self.languageCode = languageCode
    }

    /// The identity of a Telegram user as an update carries it.
    public init(_ user: User) {
        self.init(
            telegramID: user.id, username: user.username, firstName: user.firstName, lastName: user.lastName,
            languageCode: user.languageCode)
    }

    enum CodingKeys: String, CodingKey {
        case telegramID = "telegram_id"
        case username
        case firstName = "first_name"
        case lastName = "last_name"
        case languageCode = "language_code"
    }
}
