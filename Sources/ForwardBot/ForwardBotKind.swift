import CurlHTTP
public import Gateway
public import ServiceClients
import ServiceLifecycle

/// The `forward` bot kind: the gateway in front of any HTTP backend
/// (`forward-bots.md`). Its entry in `BOTS_CONFIG_FILE` has `url`,
/// `signing_secret`, and optionally `timeout`, `attempts` and `concurrency`;
/// it calls no named service, so a deployment of forward bots alone needs no
/// `<NAME>_SERVICE_URL`.
///
/// Each bot gets an HTTP client of its own, sized to its `concurrency`, so a
/// slow backend never queues the Bot API's calls or another backend's, and
/// keeps its dead letters in the gateway's store (``Gateway/BotContext/deadLetters``:
/// Redis, with a history row in PostgreSQL when configured, else memory).
public struct ForwardBotKind: BotKind {
    /// The pauses between attempts, for every bot of the kind.
    public var backoff: ForwardBotConfiguration.Backoff
    /// Each backend's breaker settings, for every bot of the kind.
    public var circuitBreaker: CircuitBreaker.Configuration

    /// Creates the kind; the defaults are the contract's.
    public init(
        backoff: ForwardBotConfiguration.Backoff = .init(),
        circuitBreaker: CircuitBreaker.Configuration = ForwardBotConfiguration.defaultCircuitBreaker
    ) {
        self.backoff = backoff
        self.circuitBreaker = circuitBreaker
    }

    public var name: String { "forward" }

    public var settingFields: Set<String> { ["url", "signing_secret", "timeout", "attempts", "concurrency"] }

    public func check(_ settings: inout BotSettingsReader) {
        _ = self.configuration(&settings)
    }

    public func makeBot(_ bot: GatewayConfiguration.Bot, context: BotContext) async throws -> BotParts {
        var settings = BotSettingsReader(bot)
        guard let configuration = self.configuration(&settings), settings.problems.isEmpty else {
            throw ConfigurationError(problems: settings.problems)
        }
        let http = try HTTPClient(configuration: .init(
            connectTimeout: configuration.timeout,
            timeout: configuration.timeout,
            maxConnectionsPerHost: configuration.concurrency,
            maxConnections: configuration.concurrency
        ))
        let handler = ForwardBot(configuration: configuration, httpClient: http, deadLetters: context.deadLetters, logger: context.logger)
        return BotParts(handler: handler, services: [HTTPClientShutdown(client: http)])
    }

    /// The bot's configuration from its entry; nil, with the problems recorded, when it has any.
    func configuration(_ settings: inout BotSettingsReader) -> ForwardBotConfiguration? {
        let known = settings.problems.count
        let url = settings.string("url", what: "the backend's http:// or https:// endpoint")
        let secret = settings.string("signing_secret", what: "at least 32 bytes shared with the backend")
        let timeout = settings.number("timeout", in: 0.001...ForwardBotConfiguration.maxTimeoutSeconds, what: "seconds per call")
        let attempts = settings.integer("attempts", in: ForwardBotConfiguration.attemptsRange, what: "tries per update")
        let concurrency = settings.integer("concurrency", in: ForwardBotConfiguration.concurrencyRange, what: "calls in flight to the backend")
        // A field already reported (wrong type or range) is not reported again as missing.
        let reported = Set(settings.problems.dropFirst(known).map(\.variable))
        do {
            var configuration = try ForwardBotConfiguration(
                bot: settings.bot.id, url: url, signingSecret: secret, timeout: timeout, attempts: attempts, concurrency: concurrency)
            configuration.backoff = self.backoff
            configuration.circuitBreaker = self.circuitBreaker
            return settings.problems.count == known ? configuration : nil
        } catch {
            for problem in error.problems where !reported.contains(problem.variable) {
                settings.report(problem)
            }
            return nil
        }
    }
}

/// Shuts a forward bot's own HTTP client down once the gateway stops: it
/// starts before the dispatcher, so it stops after the last step's call.
struct HTTPClientShutdown: Service {
    let client: HTTPClient

    func run() async throws {
        try? await gracefulShutdown()
        await self.client.shutdown()
    }
}
