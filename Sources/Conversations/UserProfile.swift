#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the gateway keeps about a user of a bot between conversations:
/// the chosen language, the roles last seen, and when the user came.
/// Stored as JSON, dates to the millisecond.
public struct UserProfile: Codable, Sendable, Hashable {
    public var bot: String
    /// The Telegram user id.
    public var user: Int64
    /// The language the user chose (`en`, `ru`, `uz`); nil until they choose one.
    public var languageCode: String?
    /// The roles the auth service last gave (`executor`, `manager`, `admin`).
    public var roles: [String]
    public var firstSeen: Date
    public var lastSeen: Date

    /// Creates a profile.
    public init(bot: String, user: Int64, languageCode: String? = nil, roles: [String] = [], firstSeen: Date, lastSeen: Date) {
        self.bot = bot
        self.user = user
        self.languageCode = languageCode
        self.roles = roles
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}
