/// What the durable dispatcher does with an update whose step failed (it
/// threw, or ran past `STEP_TIMEOUT`) or died with its process: try again
/// after a growing delay, or give up and make it a dead letter.
///
/// A value with no clock: the inbox counts attempts (each lease is one), and
/// the backoff is served by the conversation's lease (`backoff`, with `PX`).
public struct StepRetryPolicy: Sendable, Hashable {
    /// What to do after a failed attempt.
    public enum Decision: Sendable, Hashable {
        /// Try once more after the delay.
        case retry(after: Duration)
        /// Give up: a dead letter, and the conversation goes on.
        case deadLetter
    }

    /// Attempts before an update becomes a dead letter (`DEAD_LETTER_AFTER`).
    public var attempts: Int
    /// The delay after the first failure; it doubles with each one.
    public var firstDelay: Duration
    /// The longest delay.
    public var longestDelay: Duration

    /// Creates a policy.
    public init(attempts: Int = 5, firstDelay: Duration = .seconds(1), longestDelay: Duration = .seconds(30)) {
        self.attempts = max(attempts, 1)
        self.firstDelay = firstDelay
        self.longestDelay = longestDelay
    }

    /// Whether attempt number `attempt` may run at all: past the limit, the
    /// attempts before it died with their process, and it becomes a dead letter unrun.
    public func mayRun(attempt: Int) -> Bool {
        attempt <= self.attempts
    }

    /// What follows attempt number `attempt` failing.
    public func afterFailure(attempt: Int) -> Decision {
        guard attempt < self.attempts else { return .deadLetter }
        let doublings = min(max(attempt - 1, 0), 20)
        return .retry(after: min(self.firstDelay * (1 << doublings), self.longestDelay))
    }
}
