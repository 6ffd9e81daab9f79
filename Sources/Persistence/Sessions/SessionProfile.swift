import Foundation

/// A user of one bot as `bot_sessions` keeps it: who they are, their
/// language, the roles last seen, and where their conversation stands.
public struct SessionProfile: Sendable, Hashable {
    /// The bot's name (`uk`).
    public var bot: String
    public var telegramUserID: Int64
    /// The private chat with the user, or the last chat they wrote in.
    public var chatID: Int64?
    public var username: String?
    public var firstName: String?
    public var lastName: String?
    /// The language the user chose (`en`, `ru`, `uz`); nil when never chosen.
    public var language: String?
    /// The roles last seen from the auth service.
    public var roles: [String]
    /// The FSM state name, mirrored from Redis for analytics.
    public var state: String?
    public var lastActivity: Date

    /// Creates a profile.
    public init(
        bot: String,
        telegramUserID: Int64,
        chatID: Int64? = nil,
        username: String? = nil,
        firstName: String? = nil,
        lastName: String? = nil,
        language: String? = nil,
        roles: [String] = [],
        state: String? = nil,
        lastActivity: Date = Date()
    ) {
        self.bot = bot
        self.telegramUserID = telegramUserID
        self.chatID = chatID
        self.username = username
        self.firstName = firstName
        self.lastName = lastName
        self.language = language
        self.roles = roles
        self.state = state
        self.lastActivity = lastActivity
    }
}
