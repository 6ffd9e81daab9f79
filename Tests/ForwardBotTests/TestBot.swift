import CurlHTTP
import ForwardBot
import Foundation
import Gateway
import ServiceClients
import Logging
import Synchronization
import TelegramBotAPI

/// Builds forward bots, updates and contexts for the tests.
enum TestBot {
    static let secret = "0123456789abcdef0123456789abcdef-test"
    static let bot = BotID("shop")

    static let logger: Logger = {
        var logger = Logger(label: "forward-bot-tests")
        logger.logLevel = .critical
        return logger
    }()

    /// A configuration whose breaker never opens unless a test asks for it.
    static func configuration(
        url: String,
        attempts: Int = 5,
        concurrency: Int = 8,
        timeout: Duration = .seconds(5),
        circuitBreaker: CircuitBreaker.Configuration = .init(failureThreshold: 100, coolDown: .seconds(30))
    ) -> ForwardBotConfiguration {
        ForwardBotConfiguration(
            bot: bot, url: url, signingSecret: secret, timeout: timeout, attempts: attempts, concurrency: concurrency,
            circuitBreaker: circuitBreaker)
    }

    /// Runs `body` with an HTTP client that has room for every test's connections.
    static func withHTTPClient(_ body: (HTTPClient) async throws -> Void) async throws {
        let client = try HTTPClient(configuration: .init(maxConnectionsPerHost: 32))
        do {
            try await body(client)
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
    }

    /// A private-chat message as Telegram might send it: odd spacing and a
    /// field the gateway does not model, so only a verbatim copy matches.
    static func update(id: Int = 7, chat: Int64 = 123_456_789, text: String = "hello") throws -> (Update, [UInt8]) {
        let raw = Array("""
            {"update_id": \(id),  "message":{"message_id":\(id),"date":1700000000,"x_future_field":{"a":[1,2.50]},\
            "chat":{"id":\(chat),"type":"private","first_name":"U"},\
            "from":{"id":\(chat),"is_bot":false,"first_name":"U","language_code":"uz"},"text":"\(text)"}}
            """.utf8)
        return (try Update.decode(from: raw), raw)
    }

    static func context(_ update: Update, raw: [UInt8], state: [UInt8]? = nil, locale: String = "uz") -> UpdateContext {
        var context = UpdateContext(
            update: update, bot: bot, conversation: RedisKeyspace.conversation(of: update), state: state, raw: raw, logger: logger)
        context.locale = locale
        return context
    }
}

/// A clock that moves only when the bot sleeps: every sleep is recorded and
/// returns at once, so retries and cool-downs take no real time.
final class TestTiming: Sendable {
    private struct State {
        var elapsed: Duration = .zero
        var sleeps: [Duration] = []
    }

    private let start = ContinuousClock.now
    private let state = Mutex(State())
    private let wallClock: @Sendable () -> Date

    init(wallClock: @escaping @Sendable () -> Date = { Date() }) {
        self.wallClock = wallClock
    }

    /// The pauses the bot asked for, in order.
    var sleeps: [Duration] {
        self.state.withLock { $0.sleeps }
    }

    var timing: ForwardBot.Timing {
        ForwardBot.Timing(
            now: { self.start + self.state.withLock { $0.elapsed } },
            wallClock: self.wallClock,
            sleep: { duration in
                try Task.checkCancellation()
                self.state.withLock {
                    $0.sleeps.append(duration)
                    $0.elapsed += duration
                }
                await Task.yield()
            },
            jitter: { 0.5 })
    }
}
