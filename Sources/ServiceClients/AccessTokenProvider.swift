/// Hands out the access token of a Telegram user for calls made on their behalf.
///
/// ``ServiceClient`` asks with `forceRefresh: false` before a call, and once with
/// `forceRefresh: true` after a 401, when the provider must log in again rather than return what
/// it cached. Implementations cache tokens until shortly before they expire and never log them.
/// While the client asks, ``DownstreamCaller/current`` names the call, for the login's
/// `X-Request-ID`.
public protocol AccessTokenProvider: Sendable {
    /// The user's access token.
    ///
    /// - Throws: preferably ``DownstreamError`` (``DownstreamError/Code/blocked`` for a blocked
    ///   user); the client reports any other error as the auth service being unavailable.
    func token(for telegramID: Int64, forceRefresh: Bool) async throws -> String
}
