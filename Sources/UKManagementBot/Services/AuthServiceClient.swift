public import ServiceClients

/// The auth service: logs Telegram users in.
///
/// Token caching is not done here but by an ``AccessTokenProvider`` built on this client, such as
/// ``CachingAccessTokenProvider``.
public struct AuthServiceClient: Sendable {
    /// The client of the auth service.
    public let client: ServiceClient

    /// Creates the client.
    public init(client: ServiceClient) {
        self.client = client
    }

    /// Logs a Telegram user in, registering them on first contact (`POST /api/v1/auth/telegram`).
    ///
    /// The answer says whether the user is blocked; this call does not refuse them.
    /// - Throws: ``DownstreamError``.
    public func login(_ identity: TelegramIdentity, requestID: String) async throws(DownstreamError) -> AuthSession {
        // Logging in twice only logs in again, so the login is retried like a read.
        try await client.sendUnauthenticated(
            ServiceRequest(.post, "/api/v1/auth/telegram", body: identity, isIdempotent: true), requestID: requestID)
    }
}
