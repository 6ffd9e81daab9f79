public import CurlHTTP
import Foundation
public import Gateway
public import ServiceClients
public import Logging
import Synchronization
public import TelegramBotAPI

/// The bot of kind `forward`: hands each update to a backend over HTTP and
/// turns its answer into the step's replies and state (the contract is
/// `forward-bots.md`).
///
/// ```swift
/// let bot = ForwardBot(configuration: configuration, httpClient: http, deadLetters: store, logger: logger)
/// let outcome = try await bot.handle(update, context: context)
/// ```
///
/// Each update is one signed `POST` with the update exactly as Telegram sent
/// it, the conversation, the locale and the state the backend returned last
/// time. Transient failures (5xx, 408, 429, a timeout, no connection) are
/// retried with exponential backoff and jitter, up to
/// ``ForwardBotConfiguration/attempts`` calls, under one `Idempotency-Key`.
/// While the backend's ``CircuitBreaker`` is open the update waits without
/// spending attempts: the dispatcher renews its lease meanwhile, and it stays
/// in the inbox. An update the backend refuses, that runs out of attempts, or
/// whose answer cannot be sent becomes a ``DeadLetter`` and the step goes on
/// with ``StepOutcome/unchanged``; an answer with some invalid actions sends
/// the others. A step cut off by cancellation throws `CancellationError` at
/// once, so the update is handled again later.
///
/// Create one per bot and share it: the breaker and the limit of
/// ``ForwardBotConfiguration/concurrency`` calls in flight are per instance.
/// The HTTP client belongs to the caller; give it at least `concurrency`
/// connections per host, or calls queue inside it.
///
/// `Sendable` because its mutable state, the breaker, sits behind a `Mutex`
/// and the concurrency limit synchronises itself.
public final class ForwardBot: UpdateHandler {
    /// The settings this bot was created with.
    public let configuration: ForwardBotConfiguration
    let httpClient: HTTPClient
    let deadLetters: any DeadLetterStore
    let logger: Logger
    let timing: Timing
    let secret: [UInt8]
    private let breaker: Mutex<CircuitBreaker>
    private let limit: ConcurrencyLimit

    /// How long an update whose breaker is half-open waits before it looks
    /// again: the probe's end is not announced, and it takes at most a timeout.
    static let probeWaitInterval = Duration.milliseconds(250)

    /// Creates a bot with a closed breaker.
    ///
    /// - Parameters:
    ///   - httpClient: The client the calls go through; the caller shuts it down.
    ///   - deadLetters: Where updates go that the bot gives up on.
    ///   - logger: For the breaker's changes; each update logs on its context's logger.
    ///   - timing: Clocks and sleep; injectable for tests.
    public init(
        configuration: ForwardBotConfiguration,
        httpClient: HTTPClient,
        deadLetters: any DeadLetterStore,
        logger: Logger,
        timing: Timing = .live
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.deadLetters = deadLetters
        var logger = logger
        logger[metadataKey: "bot"] = "\(configuration.bot)"
        self.logger = logger
        self.timing = timing
        self.secret = Array(configuration.signingSecret.utf8)
        self.breaker = Mutex(CircuitBreaker(configuration: configuration.circuitBreaker))
        self.limit = ConcurrencyLimit(limit: configuration.concurrency)
    }

    /// The backend's breaker now.
    public var circuitState: CircuitBreaker.State {
        self.breaker.withLock { $0.state }
    }

    /// Calls the backend for `update` and returns what its answer decided.
    ///
    /// - Throws: `CancellationError` when the task is cancelled, and the
    ///   encoder's error for an update built in process that cannot be
    ///   encoded; every other failure ends in a dead letter and
    ///   ``StepOutcome/unchanged``.
    public func handle(_ update: Update, context: UpdateContext) async throws -> StepOutcome {
        var logger = context.logger
        logger[metadataKey: "bot"] = "\(self.configuration.bot)"
        logger[metadataKey: "update_id"] = "\(update.updateID)"
        let delivery = Delivery(
            updateID: update.updateID,
            conversation: context.conversation,
            update: try Self.updateBytes(update, raw: context.raw),
            logger: logger)
        let body = Self.body(update: delivery.update, context: context, logger: logger)

        var attempt = 0
        while true {
            let isProbe = try await self.admission(logger)
            attempt += 1
            let verdict: Verdict
            do {
                verdict = try await self.limit.run { await self.exchange(body, delivery: delivery, attempt: attempt) }
            } catch {
                // Only the wait for a place throws, and only when cancelled.
                self.record(.abandoned, probe: isProbe)
                throw error
            }
            self.record(verdict.breakerOutcome, probe: isProbe)

            switch verdict {
            case .answer(let answer):
                return await self.outcome(of: answer, delivery: delivery, attempts: attempt)
            case .cancelled:
                throw CancellationError()
            case .refused(let reason, let message):
                await self.deadLetter(delivery, reason: reason, error: message, attempts: attempt)
                return .unchanged
            case .transient(let failure, let retryAfter, _):
                guard attempt < self.configuration.attempts else {
                    let tries = attempt == 1 ? "1 attempt" : "\(attempt) attempts"
                    await self.deadLetter(delivery, reason: .exhausted, error: "\(failure) (after \(tries))", attempts: attempt)
                    return .unchanged
                }
                let pause = self.pause(after: attempt, retryAfter: retryAfter)
                logger.debug(
                    "backend call failed; retrying",
                    metadata: ["attempt": "\(attempt)", "error": "\(failure)", "retry_in": "\(pause)"])
                try await self.timing.sleep(pause)
            }
        }
    }

    /// Waits until the breaker admits a call, without counting an attempt.
    ///
    /// - Returns: whether the call is the half-open breaker's probe.
    private func admission(_ logger: Logger) async throws -> Bool {
        var waited = false
        while true {
            try Task.checkCancellation()
            let now = self.timing.now()
            switch self.breaker.withLock({ $0.admit(now: now) }) {
            case .allowed:
                return false
            case .probe:
                logger.notice("backend circuit half-open: this call is the probe")
                return true
            case .rejected(let retryAt):
                if !waited {
                    waited = true
                    ForwardMetrics.recordCircuitWait(bot: self.configuration.bot)
                    logger.info("backend circuit open: the update waits for it")
                }
                let wait = retryAt.map { max($0 - now, .milliseconds(1)) } ?? Self.probeWaitInterval
                try await self.timing.sleep(wait)
            }
        }
    }

    private func record(_ outcome: CircuitBreaker.Outcome, probe: Bool) {
        let now = self.timing.now()
        let transition = self.breaker.withLock { $0.record(outcome, probe: probe, now: now) }
        switch transition {
        case .opened(let until):
            self.logger.warning(
                "backend circuit opened: calls wait for the cool-down",
                metadata: ["cool_down": "\(until - now)"])
        case .closed:
            self.logger.notice("backend circuit closed: the probe succeeded")
        case nil:
            break
        }
    }

    /// The pause before the next attempt: what `Retry-After` asked for, at
    /// most ``ForwardBotConfiguration/Backoff/maxRetryAfter``, else the backoff.
    private func pause(after attempt: Int, retryAfter: Duration?) -> Duration {
        let backoff = self.configuration.backoff
        if let retryAfter {
            return min(retryAfter, backoff.maxRetryAfter)
        }
        return RetryPolicy(initialBackoff: backoff.initial, maxBackoff: backoff.maximum)
            .backoff(after: attempt, jitter: self.timing.jitter())
    }
}

extension ForwardBot {
    /// What every attempt and dead letter of one update needs.
    struct Delivery: Sendable {
        let updateID: Int
        let conversation: String
        /// The update's JSON: as Telegram sent it, or encoded when built in process.
        let update: [UInt8]
        let logger: Logger
    }

    static func updateBytes(_ update: Update, raw: [UInt8]) throws -> [UInt8] {
        guard raw.isEmpty else { return raw }
        return Array(try JSONEncoder().encode(update))
    }

    /// `{"update":…,"conversation":…,"locale":…,"state":…}`, built from bytes
    /// so that the update and the state go out exactly as they came in.
    static func body(update: [UInt8], context: UpdateContext, logger: Logger) -> [UInt8] {
        var state = Array("null".utf8)
        if let stored = context.state {
            if JSONSpans.isValid(stored) {
                state = stored
            } else {
                // Only a backend's validated answer is stored; anything else is not its state.
                logger.warning("the stored state is not JSON; the backend gets null", metadata: ["state_bytes": "\(stored.count)"])
            }
        }
        var body = Array(#"{"update":"#.utf8)
        body.reserveCapacity(update.count + state.count + context.conversation.utf8.count + 64)
        body += update
        body += #","conversation":"#.utf8
        JSONSpans.appendString(context.conversation, to: &body)
        body += #","locale":"#.utf8
        JSONSpans.appendString(context.locale, to: &body)
        body += #","state":"#.utf8
        body += state
        body += "}".utf8
        return body
    }
}
