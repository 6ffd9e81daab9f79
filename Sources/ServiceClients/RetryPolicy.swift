/// How a ``ServiceClient`` retries transient failures (5xx, timeouts, connection failures, 429).
///
/// Refusals (other 4xx) are never retried. A write is retried only when it carries an
/// `Idempotency-Key` (or is idempotent by nature), except for failures that prove nothing reached
/// the service: a failed connect, or a 429.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; at least 1.
    public var attempts: Int
    /// The time one attempt may take, connecting included.
    public var attemptTimeout: Duration
    /// The pause after the first failed attempt; it doubles after each further one.
    public var initialBackoff: Duration
    /// The longest pause between attempts, before jitter.
    public var maxBackoff: Duration
    /// The longest `Retry-After` honoured; a 429 asking for more fails at once as `rateLimited`.
    public var maxRetryAfter: Duration

    /// Creates a policy; the defaults are the contract's: 3 attempts of at most 10 s each.
    public init(
        attempts: Int = 3,
        attemptTimeout: Duration = .seconds(10),
        initialBackoff: Duration = .milliseconds(200),
        maxBackoff: Duration = .seconds(2),
        maxRetryAfter: Duration = .seconds(10)
    ) {
        self.attempts = max(1, attempts)
        self.attemptTimeout = attemptTimeout
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxRetryAfter = maxRetryAfter
    }

    /// The pause before the next attempt once attempt number `attempt` (from 1) failed:
    /// `initialBackoff × 2^(attempt − 1)`, at most `maxBackoff`, then scaled into its upper half
    /// by `jitter` so that clients failing together do not retry together.
    ///
    /// - Parameter jitter: a random number in `0..<1`.
    public func backoff(after attempt: Int, jitter: Double) -> Duration {
        let exponent = min(max(attempt - 1, 0), 30)
        let base = min(initialBackoff * (1 << exponent), maxBackoff)
        return base * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }
}
