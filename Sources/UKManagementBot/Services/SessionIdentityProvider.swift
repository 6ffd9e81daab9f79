public import Gateway
import ServiceClients
public import TelegramBotAPI

/// The ``IdentityProvider`` over the auth service: the user's session from
/// ``CachingAccessTokenProvider`` (memory, then the shared cache, then a
/// login), seen as an identity.
public struct SessionIdentityProvider: IdentityProvider {
    private let tokens: CachingAccessTokenProvider

    /// Creates the provider; `tokens` is the one the service clients use, so
    /// the login made here serves their calls too.
    public init(tokens: CachingAccessTokenProvider) {
        self.tokens = tokens
    }

    public func identity(of user: User, bot: BotID, correlationID: String) async throws -> UserIdentity {
        let session = try await self.tokens.session(for: TelegramIdentity(user), requestID: correlationID)
        return UserIdentity(
            telegramID: user.id,
            serviceUserID: session.user.id,
            roles: Set(session.user.roles.map(\.rawValue)),
            language: session.user.language,
            status: session.user.status.rawValue
        )
    }
}
