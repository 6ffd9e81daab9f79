/// On whose behalf a downstream call is made, and the correlation id it carries.
public struct DownstreamCaller: Sendable, Hashable {
    /// The Telegram user whose access token authorizes the call (an admin's own for admin reads).
    public var telegramID: Int64
    /// Sent as `X-Request-ID`; the correlation id the gateway logs, such as `bot:update_id`.
    public var requestID: String

    /// Creates a caller.
    public init(telegramID: Int64, requestID: String) {
        self.telegramID = telegramID
        self.requestID = requestID
    }

    /// The caller of the ``ServiceClient`` call that is asking an ``AccessTokenProvider`` for a
    /// token, so that a login it makes carries the same `X-Request-ID`; nil elsewhere.
    @TaskLocal public static var current: DownstreamCaller?
}
