public import TelegramBotAPI

/// Tells who a Telegram user is to the downstream services: their service
/// id, roles and status. The production provider logs in through the auth
/// service and caches the answer until shortly before its token expires.
public protocol IdentityProvider: Sendable {
    /// The identity of `user`; logs in when none is cached.
    /// - Throws: when the auth service cannot say (unreachable, refusing).
    func identity(of user: User, bot: BotID, correlationID: String) async throws -> UserIdentity
}
