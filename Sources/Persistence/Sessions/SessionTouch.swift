import Foundation

/// "This user was active at this time": what ``SessionActivityWriter``
/// collects and writes behind, many in one statement.
public struct SessionTouch: Sendable, Hashable {
    public var bot: String
    public var telegramUserID: Int64
    public var chatID: Int64
    /// A language to store with the touch, such as one the user just chose;
    /// nil keeps the stored one.
    public var language: String?
    /// The roles the user was seen with; nil keeps the stored ones.
    public var roles: [String]?
    /// The language the bot answered in; nil keeps the stored one.
    public var locale: String?
    public var at: Date

    /// Creates a touch.
    public init(
        bot: String, telegramUserID: Int64, chatID: Int64, language: String? = nil, roles: [String]? = nil, locale: String? = nil, at: Date = Date()
    ) {
        self.bot = bot
        self.telegramUserID = telegramUserID
        self.chatID = chatID
        self.language = language
        self.roles = roles
        self.locale = locale
        self.at = at
    }
}
