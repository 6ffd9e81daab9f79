/// What one Bot API call came to: handed to the client's observer so the
/// gateway can count calls without this module knowing a metrics backend.
public struct BotAPICallRecord: Sendable, Hashable {
    /// How a call ended.
    public enum Outcome: String, Sendable, Hashable {
        /// Telegram answered `ok: true`.
        case ok
        /// Telegram answered with an error other than 429.
        case error
        /// Telegram answered 429.
        case rateLimited = "rate_limited"
        /// No answer: connection, TLS, timeout or cancellation.
        case network
    }

    /// The Bot API method, such as `sendMessage`.
    public var method: String
    public var outcome: Outcome
    /// From sending the request to the end of the answer.
    public var duration: Duration
    /// The pause a 429 asked for.
    public var retryAfter: Duration?

    public init(method: String, outcome: Outcome, duration: Duration, retryAfter: Duration? = nil) {
        self.method = method
        self.outcome = outcome
        self.duration = duration
        self.retryAfter = retryAfter
    }
}
