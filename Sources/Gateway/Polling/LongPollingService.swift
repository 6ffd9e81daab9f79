import Foundation
public import Logging
public import ServiceLifecycle
public import TelegramBotAPI
import Synchronization

/// Receives one bot's updates by long polling (`getUpdates`) instead of a
/// webhook, for `TELEGRAM_USE_WEBHOOK=false`.
///
/// At start it deletes the bot's webhook, since Telegram refuses `getUpdates`
/// while one is set. The offset moves past an update only after the sink has
/// accepted it, so an update the sink refused, or one in hand when the
/// process died, is fetched again: Telegram keeps unconfirmed updates for
/// 24 hours. On graceful shutdown the long poll in flight is cancelled and the
/// updates already handed over are confirmed, so a restart does not fetch them
/// again.
public struct LongPollingService: Service {
    /// How the service polls.
    public struct Configuration: Sendable {
        /// Seconds Telegram holds a `getUpdates` open waiting for an update.
        public var timeout: Int
        /// Most updates fetched per call (Telegram allows 1 to 100).
        public var limit: Int
        /// Update kinds to ask for; `nil` keeps what Telegram was last told.
        public var allowedUpdates: [String]?
        /// First pause after a failed call; doubles per failure.
        public var retryDelay: Duration
        /// Longest pause between failed calls.
        public var maxRetryDelay: Duration

        public init(
            timeout: Int = 30,
            limit: Int = 100,
            allowedUpdates: [String]? = nil,
            retryDelay: Duration = .seconds(1),
            maxRetryDelay: Duration = .seconds(30)
        ) {
            self.timeout = timeout
            self.limit = limit
            self.allowedUpdates = allowedUpdates
            self.retryDelay = retryDelay
            self.maxRetryDelay = maxRetryDelay
        }
    }

    private let bot: BotID
    private let client: BotAPIClient
    private let sink: any UpdateSink
    private let configuration: Configuration
    private let logger: Logger

    public init(bot: BotID, client: BotAPIClient, sink: any UpdateSink, configuration: Configuration = .init(), logger: Logger) {
        self.bot = bot
        self.client = client
        self.sink = sink
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async throws {
        let progress = ProgressBox()
        // Graceful shutdown cancels only the polling loop, so the run can
        // still confirm what was handed over.
        try? await cancelWhenGracefulShutdown { try await self.poll(progress) }
        let (accepted, confirmed) = progress.state.withLock { ($0.nextOffset, $0.confirmedOffset) }
        if let accepted, accepted != confirmed {
            // limit 1 and timeout 0: confirms everything before `accepted`
            // and returns at once; an update it returns stays unconfirmed.
            _ = try? await client.getUpdates(GetUpdates(offset: accepted, limit: 1, timeout: 0))
        }
        logger.info("long polling stopped", metadata: ["bot": "\(bot)"])
    }

    /// The offset bookkeeping shared between the loop and the final confirmation.
    private final class ProgressBox: Sendable {
        let state = Mutex(Progress())
    }

    private struct Progress {
        /// One past the last update the sink accepted.
        var nextOffset: Int?
        /// The offset Telegram was last sent, which confirmed everything below it.
        var confirmedOffset: Int?
    }

    private func poll(_ progress: ProgressBox) async throws {
        try await retrying("deleteWebhook") { () async throws(BotAPIError) in
            try await client.deleteWebhook()
        }
        logger.info("long polling started", metadata: ["bot": "\(bot)", "timeout_s": "\(configuration.timeout)"])
        var failures = 0
        while true {
            try Task.checkCancellation()
            let offset = progress.state.withLock { $0.nextOffset }
            let updates: [Update]
            do {
                updates = try await client.getUpdates(GetUpdates(
                    offset: offset,
                    limit: configuration.limit,
                    timeout: configuration.timeout,
                    allowedUpdates: configuration.allowedUpdates
                ))
                failures = 0
            } catch {
                if error.code == .cancelled || Task.isCancelled { throw CancellationError() }
                failures += 1
                try await pause(after: error, failures: failures, call: "getUpdates")
                continue
            }
            progress.state.withLock { $0.confirmedOffset = offset }
            for update in updates {
                do {
                    try await sink.accept(update, raw: try Self.encoder.encode(update).asBytes, bot: bot)
                } catch {
                    // Not confirmed: the next getUpdates starts again at this update.
                    failures += 1
                    try await pause(after: error, failures: failures, call: "accept")
                    break
                }
                // Saturating: an update_id of Int.max (a broken or hostile API) must not trap.
                progress.state.withLock { $0.nextOffset = update.updateID == .max ? .max : update.updateID + 1 }
            }
        }
    }

    /// Runs `call` until it succeeds, pausing with backoff between failures.
    private func retrying(_ name: String, _ call: () async throws(BotAPIError) -> Void) async throws {
        var failures = 0
        while true {
            do {
                try await call()
                return
            } catch {
                if error.code == .cancelled || Task.isCancelled { throw CancellationError() }
                failures += 1
                try await pause(after: error, failures: failures, call: name)
            }
        }
    }

    private func pause(after error: any Error, failures: Int, call: String) async throws {
        var delay = configuration.retryDelay * (1 << min(failures - 1, 16))
        if let botError = error as? BotAPIError, let retryAfter = botError.retryAfter {
            delay = max(delay, retryAfter)
        }
        delay = min(delay, configuration.maxRetryDelay)
        logger.warning(
            "long polling call failed",
            metadata: ["bot": "\(bot)", "call": "\(call)", "error": "\(error)", "retry_in_ms": "\(delay.components.seconds * 1_000 + delay.components.attoseconds / 1_000_000_000_000_000)"]
        )
        try await Task.sleep(for: delay)
    }

    /// Re-encodes an update for the sink's `raw` bytes: `getUpdates` returns
    /// decoded updates. Fields this gateway does not model are not kept.
    private static let encoder = JSONEncoder()
}

extension Data {
    fileprivate var asBytes: [UInt8] { [UInt8](self) }
}
