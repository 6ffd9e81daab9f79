/// A login shared between gateway instances: the session and who it is for.
public struct CachedAuthSession: Codable, Sendable, Hashable {
    /// The Telegram user the session was issued to, as last seen.
    public var identity: TelegramIdentity
    /// The auth service's answer, token included.
    public var session: AuthSession

    /// Creates an entry.
    public init(identity: TelegramIdentity, session: AuthSession) {
        self.identity = identity
        self.session = session
    }
}

/// Where ``CachingAccessTokenProvider`` shares logins between instances, so a
/// user logs in once per token lifetime however many instances serve them.
public protocol AuthSessionCache: Sendable {
    /// The entry for `telegramID` while it is fresh, with how long it stays so.
    func session(for telegramID: Int64) async throws -> (entry: CachedAuthSession, freshFor: Duration)?
    /// Keeps `entry` for `freshFor`, after which it is gone.
    func store(_ entry: CachedAuthSession, for telegramID: Int64, freshFor: Duration) async throws
}
