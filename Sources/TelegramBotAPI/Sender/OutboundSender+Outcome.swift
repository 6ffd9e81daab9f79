extension OutboundSender {
    /// How a call ended, reported exactly once per call.
    public enum Outcome: Sendable {
        /// Telegram accepted the call; the message it sent or edited, if any.
        case delivered(Message?)
        /// Telegram refused it (400, 403…) or transient failures outlasted
        /// the retry policy; sending it again as it is will not help.
        case failed(BotAPIError)
        /// The sender stopped before the call was confirmed: it was never
        /// sent, or was cut off in flight. A durable outbox keeps it for later.
        case abandoned
    }

    /// What the sender has done since it was created; for tests and `/status`.
    public struct Counters: Sendable, Hashable {
        /// Calls Telegram accepted.
        public var sent = 0
        /// Sends that failed transiently (5xx, network) and were queued again.
        public var retried = 0
        /// Sends answered with 429 and queued again after `retry_after`.
        public var rateLimited = 0
        /// Sends held back because the shared ``SendBudget`` had no token yet.
        public var deferred = 0
        /// Calls given up: refused by Telegram or out of retries.
        public var failed = 0
        /// Calls reported ``Outcome/abandoned`` at or after shutdown.
        public var abandoned = 0
    }
}
