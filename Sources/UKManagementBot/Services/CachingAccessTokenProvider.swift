import Foundation
public import ServiceClients
import Synchronization

/// An ``AccessTokenProvider`` that keeps each user's session in process memory — and, given a
/// shared ``AuthSessionCache`` (Redis), there too, so every instance reuses one login — and logs
/// in through the auth service when it has none, or when the one it has is about to expire.
///
/// A session is reused until `refreshMargin` (at most half its lifetime) before `expires_in` runs
/// out, counted from when the login was sent, so a token is never sent in its last moments. For
/// one instance, the sandbox and tests; several instances share tokens through a provider on Redis.
///
/// The identity given to ``session(for:requestID:forceRefresh:)`` is remembered so that a later
/// login (after expiry or a 401) sends the user's names and language code again; a user never
/// seen logs in by Telegram id alone. A session that expired more than its lifetime ago is
/// dropped, so memory holds only recently active users. The shared cache is asked only when
/// memory has nothing fresh; if it fails, the provider logs in as if it had nothing.
///
/// `Sendable` because its state sits behind a `Mutex`.
public final class CachingAccessTokenProvider: AccessTokenProvider {
    private struct Entry {
        var identity: TelegramIdentity
        var session: AuthSession
        var refreshAt: ContinuousClock.Instant
    }

    /// The auth service logged in through.
    public let auth: AuthServiceClient
    /// How long before expiry a session is renewed.
    public let refreshMargin: Duration
    private let shared: (any AuthSessionCache)?
    private let now: @Sendable () -> ContinuousClock.Instant
    private let entries = Mutex<[Int64: Entry]>([:])

    /// Creates an empty provider.
    ///
    /// - Parameter now: the clock expiry is measured on; injectable for tests.
    public init(
        auth: AuthServiceClient,
        refreshMargin: Duration = .seconds(60),
        shared: (any AuthSessionCache)? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.auth = auth
        self.refreshMargin = refreshMargin
        self.shared = shared
        self.now = now
    }

    /// The user's session — roles, status, language and token — from memory while fresh, else
    /// from a new login.
    ///
    /// A blocked user's session is returned like any other, so the caller can refuse them in
    /// their language; ``token(for:forceRefresh:)`` never hands out their token.
    /// - Throws: ``DownstreamError``.
    public func session(
        for identity: TelegramIdentity,
        requestID: String,
        forceRefresh: Bool = false
    ) async throws(DownstreamError) -> AuthSession {
        let cached: AuthSession? = entries.withLock { entries in
            guard var entry = entries[identity.telegramID] else { return nil }
            entry.identity = identity
            entries[identity.telegramID] = entry
            return self.now() < entry.refreshAt ? entry.session : nil
        }
        if !forceRefresh, let cached {
            return cached
        }
        if !forceRefresh, let fromShared = await self.fromShared(identity.telegramID, identity: identity) {
            return fromShared
        }
        return try await login(identity, requestID: requestID)
    }

    /// The user's access token, logging in when `forceRefresh` is set or none is fresh.
    ///
    /// - Throws: ``DownstreamError``; ``DownstreamError/Code/blocked`` for a blocked user.
    public func token(for telegramID: Int64, forceRefresh: Bool) async throws -> String {
        let (identity, cached): (TelegramIdentity, AuthSession?) = entries.withLock { entries in
            guard let entry = entries[telegramID] else { return (TelegramIdentity(telegramID: telegramID), nil) }
            return (entry.identity, self.now() < entry.refreshAt ? entry.session : nil)
        }
        let session: AuthSession
        if !forceRefresh, let cached {
            session = cached
        } else if !forceRefresh, let fromShared = await self.fromShared(telegramID, identity: identity) {
            session = fromShared
        } else {
            let requestID = DownstreamCaller.current?.requestID ?? "login-\(UUID().uuidString.lowercased())"
            session = try await login(identity, requestID: requestID)
        }
        guard session.user.status != .blocked else {
            throw DownstreamError(.blocked, service: "auth", message: "user \(session.user.id) is blocked; no token is handed out")
        }
        return session.accessToken
    }

    private func login(_ identity: TelegramIdentity, requestID: String) async throws(DownstreamError) -> AuthSession {
        let sent = now()
        let session = try await auth.login(identity, requestID: requestID)
        let lifetime = session.expiresIn
        let fresh = lifetime - min(refreshMargin, lifetime / 2)
        self.remember(identity, session, refreshAt: sent.advanced(by: fresh))
        if let shared {
            do {
                try await shared.store(CachedAuthSession(identity: identity, session: session), for: identity.telegramID, freshFor: fresh - (now() - sent))
            } catch {
                // The next instance logs in on its own; nothing is lost.
            }
        }
        return session
    }

    /// A fresh session another instance stored, kept in memory for as long as the shared cache keeps it.
    private func fromShared(_ telegramID: Int64, identity: TelegramIdentity) async -> AuthSession? {
        guard let shared, let found = try? await shared.session(for: telegramID) else { return nil }
        let known = identity.firstName == nil && identity.username == nil ? found.entry.identity : identity
        self.remember(known, found.entry.session, refreshAt: now().advanced(by: found.freshFor))
        return found.entry.session
    }

    private func remember(_ identity: TelegramIdentity, _ session: AuthSession, refreshAt: ContinuousClock.Instant) {
        entries.withLock { entries in
            // Pruned now and then rather than on every login: O(n) each time would add up.
            if entries.count >= 1024, entries.count.isMultiple(of: 1024) {
                let now = self.now()
                entries = entries.filter { _, entry in
                    entry.refreshAt.advanced(by: entry.session.expiresIn) >= now
                }
            }
            entries[identity.telegramID] = Entry(identity: identity, session: session, refreshAt: refreshAt)
        }
    }
}
