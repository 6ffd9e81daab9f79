import ForwardBot
import Foundation
import Gateway
import GatewayTestSupport
import Localization
import Logging
import Metrics
import Prometheus
import RedisClient
import ServiceClients
import ServiceLifecycle
import TelegramBotAPI
import TelegramEmulator
import Testing

/// The assembled gateway in process, serving one `forward` bot over the
/// test command's Redis (a key prefix of its own), with the emulator's fake
/// Telegram delivering to its webhook and a signature-checking
/// ``TestBackend`` behind it.
struct ForwardWorld {
    static let webhookSecret = "forward-e2e-secret"
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let telegram: FakeTelegram
    let backend: TestBackend
    let redis: RedisClient
    let prefix: String

    /// What a test changes about its world.
    struct Options {
        var attempts = 5
        var timeout = 2.0
        /// The kind's backoff and breaker; short by default so retries take milliseconds.
        var kind = ForwardBotKind(
            backoff: .init(initial: .milliseconds(50), maximum: .milliseconds(200), maxRetryAfter: .seconds(2)),
            circuitBreaker: .init(failureThreshold: 100, coolDown: .seconds(30)))
    }

    static func run(
        _ options: Options = Options(),
        respond: @escaping TestBackend.Respond,
        _ body: (ForwardWorld) async throws -> Void
    ) async throws {
        _ = testMetricsRegistry
        try await TestBackend.with(respond: respond) { backend, url in
            let telegram = FakeTelegram()
            try await telegram.start()
            let prefix = "fwd-" + UUID().uuidString.prefix(8).lowercased()
            let redis = RedisClient(configuration: try TestRedis.configuration(), logger: TestRedis.logger)
            let world = ForwardWorld(telegram: telegram, backend: backend, redis: redis, prefix: prefix)
            let bot = GatewayConfiguration.Bot(
                id: TestBot.bot, token: telegram.configuration.token, webhookPath: "/webhook/shop", webhookSecret: Self.webhookSecret,
                kind: "forward",
                settings: [
                    "url": .string(url), "signing_secret": .string(TestBot.secret),
                    "attempts": .number(Double(options.attempts)), "timeout": .number(options.timeout),
                ])
            do {
                try await Self.serve([bot], kinds: BotKinds([options.kind]), telegram: [(telegram, "/webhook/shop")], prefix: prefix) {
                    try await body(world)
                }
            } catch {
                await telegram.shutdown()
                try? await world.flush()
                await redis.close()
                throw error
            }
            await telegram.shutdown()
            try await world.flush()
            await redis.close()
        }
    }

    /// Runs the assembled gateway for `bots` until `body` returns, with each
    /// fake Telegram's webhook pointed at its bot's path. `apiURL` is where
    /// the gateway's Bot API calls go (the one fake's, by default).
    static func serve(
        _ bots: [GatewayConfiguration.Bot],
        kinds: BotKinds,
        telegram: [(FakeTelegram, String)],
        apiURL: String? = nil,
        prefix: String,
        services: [String: String] = [:],
        _ body: () async throws -> Void
    ) async throws {
        var logger = Logger(label: "forward-e2e")
        logger.logLevel = .error
        let configuration = GatewayConfiguration(
            bots: bots,
            telegram: .init(apiURL: apiURL ?? telegram[0].0.baseURL, sendsPerSecond: 1000, chatSendsPerSecond: 1000),
            server: .init(host: "127.0.0.1", port: 0, shutdownTimeout: .seconds(2)),
            admin: .init(host: "127.0.0.1", port: 0),
            redis: .init(connection: try TestRedis.configuration(), pipeline: .init(keyPrefix: prefix, leaseTimeout: .seconds(5), concurrency: 8)),
            downstream: DownstreamConfiguration(serviceURLs: services),
            rateLimits: RateLimitPolicy(messagesPerMinute: 100_000, messagesPerHour: 1_000_000, commandsPerMinute: 100_000)
        )
        let catalogs = try Catalogs.load(directory: Self.repository.appendingPathComponent("locales"))
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let assembly = try await GatewayAssembly.build(.init(
            configuration: configuration, kinds: kinds, catalogs: catalogs, registry: testMetricsRegistry, logger: logger,
            onListening: { portContinuation.yield($0) }))
        let group = ServiceGroup(configuration: .init(services: assembly.services, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                for (fake, path) in telegram {
                    let client = BotAPIClient(
                        configuration: .init(token: fake.configuration.token, baseURL: fake.baseURL), httpClient: assembly.http, logger: logger)
                    try await client.setWebhook(SetWebhook(url: "http://127.0.0.1:\(port)\(path)", secretToken: Self.webhookSecret))
                }
                try await body()
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                await assembly.http.shutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await assembly.http.shutdown()
    }

    /// A user in a private chat with the bot.
    func user(_ id: Int64, _ name: String = "U") -> TelegramUser {
        self.telegram.privateUser(id: id, firstName: name, languageCode: "uz")
    }

    /// The texts the bot sent in `chat`, oldest first, once there are `count` of them.
    func texts(inChat chat: Int64, count: Int, timeout: Duration = .seconds(20)) async throws -> [String] {
        try await eventually("\(count) messages in chat \(chat)", timeout: timeout) { () -> [String]? in
            let texts = self.telegram.botEvents(inChat: chat).filter { $0.kind == .sent }.compactMap(\.message.text)
            return texts.count >= count ? texts : nil
        }
    }

    /// The bot's dead letters in Redis, oldest first.
    func deadLetters() async throws -> [DeadLetter] {
        try await RedisDeadLetterStore(client: self.redis, keyPrefix: self.prefix).recent(of: TestBot.bot, limit: 1000)
    }

    /// Deletes this world's keys.
    func flush() async throws {
        try await TestRedis.deleteKeys(prefix: self.prefix, on: self.redis)
    }
}

extension TestBackend.Call {
    /// The update's text.
    var text: String? {
        ((self.json()["update"] as? [String: Any])?["message"] as? [String: Any])?["text"] as? String
    }

    /// The conversation the gateway named.
    var conversation: String? {
        self.json()["conversation"] as? String
    }

    /// `sendMessage` to this call's conversation (a private chat) saying `text`, as an answer body.
    func reply(_ text: String, state: String? = nil) -> LocalHTTPServer.Response {
        let chat = self.conversation ?? "0"
        let escaped = String(data: try! JSONSerialization.data(withJSONObject: [text]), encoding: .utf8)!.dropFirst().dropLast()
        let statePart = state.map { #","state":\#($0)"# } ?? ""
        return .json(#"{"actions":[{"method":"sendMessage","parameters":{"chat_id":\#(chat),"text":\#(escaped)}}]\#(statePart)}"#)
    }
}
