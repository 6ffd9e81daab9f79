/// A rate: `count` sends per `period`, of which up to `burst` may go at once
/// after a quiet spell. Enforced as a token bucket (see ``OutboundLimiter``).
public struct OutboundRateLimit: Sendable, Hashable {
    public var count: Int
    public var period: Duration
    /// Sends allowed back to back; 1 spaces every send evenly. In any window of
    /// length `period` at most `count + burst - 1` sends happen, so a burst
    /// above 1 trades strictness for snappier replies.
    public var burst: Int

    /// Creates a rate of `count` per `period` with the given burst.
    public init(count: Int, per period: Duration, burst: Int = 1) {
        precondition(count > 0 && period > .zero && burst > 0, "a rate needs a positive count, period and burst")
        self.count = count
        self.period = period
        self.burst = burst
    }

    /// The average spacing between sends, rounded up to the attosecond so that
    /// `count` intervals never fall short of `period`.
    public var interval: Duration {
        let truncated = period / count
        return truncated * count < period ? truncated + Duration(secondsComponent: 0, attosecondsComponent: 1) : truncated
    }
}

extension OutboundLimiter {
    /// Telegram's limits and the retry policy. The defaults follow Telegram's
    /// published guidance.
    public struct Configuration: Sendable, Hashable {
        /// All calls of the bot together: about 30 per second. Spaced evenly
        /// (burst 1) so that no one-second window holds more than 30.
        public var botLimit: OutboundRateLimit
        /// Messages to one private chat: about 1 per second, short bursts allowed.
        public var privateChatLimit: OutboundRateLimit
        /// Messages to one group, supergroup or channel: 20 per minute, one every
        /// 3 seconds, so that no minute holds more than 20.
        public var groupChatLimit: OutboundRateLimit
        /// Retries of calls that failed with a 5xx or a network error.
        public var retry: RetryPolicy

        /// Creates a configuration; every argument has Telegram's default.
        public init(
            botLimit: OutboundRateLimit = OutboundRateLimit(count: 30, per: .seconds(1)),
            privateChatLimit: OutboundRateLimit = OutboundRateLimit(count: 1, per: .seconds(1), burst: 3),
            groupChatLimit: OutboundRateLimit = OutboundRateLimit(count: 20, per: .seconds(60)),
            retry: RetryPolicy = RetryPolicy()
        ) {
            self.botLimit = botLimit
            self.privateChatLimit = privateChatLimit
            self.groupChatLimit = groupChatLimit
            self.retry = retry
        }
    }

    /// Exponential backoff for transient failures: the n-th retry waits
    /// `initialBackoff × multiplier^(n-1)`, at most `maximumBackoff`.
    public struct RetryPolicy: Sendable, Hashable {
        /// Retries after the first attempt; past them the job fails.
        public var maximumRetries: Int
        public var initialBackoff: Duration
        public var multiplier: Int
        public var maximumBackoff: Duration

        /// Creates a policy: by default 4 retries after 0.5, 1, 2 and 4 seconds.
        public init(
            maximumRetries: Int = 4,
            initialBackoff: Duration = .milliseconds(500),
            multiplier: Int = 2,
            maximumBackoff: Duration = .seconds(30)
        ) {
            self.maximumRetries = maximumRetries
            self.initialBackoff = initialBackoff
            self.multiplier = multiplier
            self.maximumBackoff = maximumBackoff
        }

        /// The wait before retry number `retry` (1 for the first retry).
        public func backoff(beforeRetry retry: Int) -> Duration {
            var delay = initialBackoff
            for _ in 1..<max(retry, 1) {
                delay *= multiplier
                if delay >= maximumBackoff { return maximumBackoff }
            }
            return min(delay, maximumBackoff)
        }
    }
}
