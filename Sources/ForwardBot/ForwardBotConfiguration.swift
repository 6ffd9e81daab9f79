public import Gateway
public import ServiceClients

/// One bot of kind `forward`: where its backend is, the secret that signs
/// each call, and how hard to try (see the contract, `forward-bots.md`).
///
/// Neither `description` nor a `dump` shows the signing secret.
public struct ForwardBotConfiguration: Sendable {
    /// The pauses between attempts.
    public struct Backoff: Sendable, Hashable {
        /// The pause after the first failed attempt; it doubles after each further one.
        public var initial: Duration
        /// The longest pause between attempts, before jitter.
        public var maximum: Duration
        /// The longest `Retry-After` honoured; a backend asking for more waits this long.
        public var maxRetryAfter: Duration

        /// Creates backoff settings: 0.5 s, 1 s, 2 s… up to 30 s, and `Retry-After` up to a minute.
        public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30), maxRetryAfter: Duration = .seconds(60)) {
            self.initial = initial
            self.maximum = maximum
            self.maxRetryAfter = maxRetryAfter
        }
    }

    /// The most actions one answer may carry.
    public static let maxActions = 20
    /// The largest state, in bytes of JSON, one answer may store.
    public static let maxStateBytes = 64 * 1024
    /// The default breaker: it opens after fewer failures in a row than an
    /// update's default attempts, so a backend that is down for less than the
    /// cool-down costs no update its dead letter — the updates wait for the
    /// probe instead of spending attempts.
    public static let defaultCircuitBreaker = CircuitBreaker.Configuration(failureThreshold: 3, coolDown: .seconds(30))

    /// The bot's configured name: `X-Gateway-Bot`, logs, metrics, dead letters.
    public var bot: BotID
    /// The backend's `http://` or `https://` endpoint.
    public var url: String
    /// The key of each call's `X-Gateway-Signature`; at least 32 bytes.
    public var signingSecret: String
    /// The time one call may take, connecting included.
    public var timeout: Duration
    /// Calls per update, the first included, before it becomes a dead letter.
    public var attempts: Int
    /// Calls in flight to the backend at once.
    public var concurrency: Int
    /// The pauses between attempts.
    public var backoff: Backoff
    /// When the backend's breaker opens and for how long.
    public var circuitBreaker: CircuitBreaker.Configuration

    /// Creates a configuration without checking it; ``init(bot:url:signingSecret:timeout:attempts:concurrency:)``
    /// checks what comes from a file.
    public init(
        bot: BotID,
        url: String,
        signingSecret: String,
        timeout: Duration = .seconds(10),
        attempts: Int = 5,
        concurrency: Int = 32,
        backoff: Backoff = Backoff(),
        circuitBreaker: CircuitBreaker.Configuration = Self.defaultCircuitBreaker
    ) {
        self.bot = bot
        self.url = url
        self.signingSecret = signingSecret
        self.timeout = timeout
        self.attempts = attempts
        self.concurrency = concurrency
        self.backoff = backoff
        self.circuitBreaker = circuitBreaker
    }
}

extension ForwardBotConfiguration: CustomStringConvertible, CustomReflectable {
    public var description: String {
        "ForwardBotConfiguration(bot: \(self.bot), timeout: \(self.timeout), attempts: \(self.attempts), concurrency: \(self.concurrency))"
    }

    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "bot": self.bot, "url": "<\(self.url.count) characters>", "signingSecret": "<redacted>",
                "timeout": self.timeout, "attempts": self.attempts, "concurrency": self.concurrency,
                "backoff": self.backoff, "circuitBreaker": self.circuitBreaker,
            ],
            displayStyle: .struct)
    }
}
