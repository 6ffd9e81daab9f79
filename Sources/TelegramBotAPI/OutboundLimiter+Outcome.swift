extension OutboundLimiter {
    /// How a sent call ended, as the sender reports it to ``OutboundLimiter/completed(_:outcome:now:)``.
    public enum Outcome: Sendable, Hashable {
        case success
        /// A 429: wait `retryAfter`, pausing only what `scope` names.
        case rateLimited(retryAfter: Duration, scope: RateLimitScope)
        /// A 5xx or a network error: retried with backoff.
        case transientFailure
        /// A 400, 403 and the like: retrying cannot help.
        case permanentFailure
        /// Not sent: a budget shared with other senders (``SendBudget``) has no
        /// token now. The job goes back to the head of its queue, not counted
        /// as an attempt; `scope` `.bot` holds every job of its priority and
        /// below for `wait`, `.chat` holds the chat.
        case deferred(wait: Duration, scope: RateLimitScope)

        /// Classifies a Bot API response. A 429 is taken as scoped to the
        /// call's chat, Telegram's usual meaning; a sender that sees 429s across
        /// many chats at once reports `.bot` itself.
        public init<Result>(_ response: BotAPIResponse<Result>) {
            if response.ok {
                self = .success
                return
            }
            switch response.errorCode ?? 0 {
            case 429:
                let seconds = response.parameters?.retryAfter ?? 1
                self = .rateLimited(retryAfter: .seconds(max(seconds, 1)), scope: .chat)
            case 500...599:
                self = .transientFailure
            default:
                self = .permanentFailure
            }
        }
    }

    /// What a 429 pauses.
    public enum RateLimitScope: Sendable, Hashable {
        /// The chat the failed call went to; other chats proceed. For a
        /// ``Destination/notChatLimited`` call, only that call waits.
        case chat
        /// Every call of the bot.
        case bot
    }

    /// What the limiter did with a completed job, for logs and for reporting
    /// back to whoever enqueued it.
    public enum Completion: Sendable {
        case delivered(Job)
        /// Back at the head of its chat's queue; it will not go before `notBefore`.
        case willRetry(Job, notBefore: ContinuousClock.Instant)
        case failed(Job, Failure)
    }

    /// Why a job was given up.
    public enum Failure: Sendable, Hashable {
        /// Telegram refused it (400, 403…).
        case permanent
        /// Transient failures outlasted the retry policy.
        case retriesExhausted
    }

    /// What the sender should do next.
    public enum Action: Sendable {
        /// Send this job now and report with ``OutboundLimiter/completed(_:outcome:now:)``.
        case send(Job)
        /// Nothing may go before this instant; ask again then, or sooner after
        /// an enqueue or a completion.
        case wait(until: ContinuousClock.Instant)
        /// Nothing queued can go until a job is enqueued or completed.
        case idle
    }
}
