public import Conversations
public import Gateway
public import Localization
public import Logging
public import Prometheus
import ServiceClients
import ServiceLifecycle
import TelegramBotAPI
import TelegramEmulator
import UKServiceFakes

/// Settings of a sandbox run.
public struct SandboxOptions: Sendable {
    /// The first person's first name, language code and roles.
    public var name: String
    public var language: String
    public var roles: [String]
    /// Where the chat page listens; port 0 picks a free one.
    public var host: String
    public var port: Int
    /// When true, a page that cannot listen ends the run with an error; otherwise the run goes on
    /// without it (the terminal chat still works).
    public var pageRequired: Bool
    /// How long the fake services' tokens live: a role changed on the page reaches the bot with
    /// the next login, as it would for a real user, and in the sandbox that is soon.
    public var tokenLifetime: Duration

    /// Creates options; the defaults are those of `bot-gateway sandbox`.
    public init(
        name: String = "Alex",
        language: String = "en",
        roles: [String] = ["applicant"],
        host: String = "127.0.0.1",
        port: Int = 8080,
        pageRequired: Bool = false,
        tokenLifetime: Duration = .seconds(30)
    ) {
        self.name = name
        self.language = language
        self.roles = roles
        self.host = host
        self.port = port
        self.pageRequired = pageRequired
        self.tokenLifetime = tokenLifetime
    }
}

/// Runs the gateway with in-memory storage, the emulator's fake Telegram and the fake UK services
/// in this process, and the chat page beside them.
public enum SandboxRuntime {
    /// The bot's id in the sandbox's configuration.
    public static let botID = BotID("uk")

    /// Starts everything, runs `body` with the world and the page's address (nil when the page
    /// could not listen and was not required), and stops everything when `body` returns or a
    /// SIGINT or SIGTERM arrives.
    public static func run(
        _ options: SandboxOptions,
        kinds: BotKinds,
        catalogs: Catalogs,
        flows: [Flow],
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        body: @escaping @Sendable (SandboxWorld, _ pageURL: String?) async throws -> Void
    ) async throws {
        let telegram = FakeTelegram(configuration: .init(botFirstName: "UK Housing", botUsername: "uk_housing_bot"))
        let services = FakeServices(configuration: .init(tokenLifetime: options.tokenLifetime))
        try await telegram.start()
        do {
            try await services.start()
            try await Self.run(options, telegram: telegram, services: services, kinds: kinds, catalogs: catalogs, flows: flows, registry: registry, logger: logger, body: body)
        } catch {
            await services.shutdown()
            await telegram.shutdown()
            throw error
        }
        await services.shutdown()
        await telegram.shutdown()
    }

    private enum Finished {
        case gateway
        case body
    }

    private static func run(
        _ options: SandboxOptions,
        telegram: FakeTelegram,
        services: FakeServices,
        kinds: BotKinds,
        catalogs: Catalogs,
        flows: [Flow],
        registry: PrometheusCollectorRegistry,
        logger: Logger,
        body: @escaping @Sendable (SandboxWorld, String?) async throws -> Void
    ) async throws {
        let secret = "sandbox-secret"
        let configuration = GatewayConfiguration(
            bots: [.init(id: botID, token: telegram.configuration.token, webhookPath: "/webhook", webhookSecret: secret)],
            telegram: .init(apiURL: telegram.baseURL),
            server: .init(host: "127.0.0.1", port: 0, shutdownTimeout: .seconds(2)),
            admin: .init(host: "127.0.0.1", port: 0),
            downstream: DownstreamConfiguration(
                serviceURLs: Dictionary(uniqueKeysWithValues: SandboxWorld.serviceNames.map { ($0, services.baseURL) }),
                // A circuit opened by a failing service tries again after 5 s, not 30: a demo of the
                // "unavailable" path should recover while the person watches.
                circuitBreaker: CircuitBreaker.Configuration(coolDown: .seconds(5)))
        )
        let listening = AsyncStream<Int>.makeStream()
        let assembly = try await GatewayAssembly.build(.init(
            configuration: configuration, kinds: kinds, catalogs: catalogs, registry: registry, logger: logger,
            onListening: { listening.continuation.yield($0) }
        ))
        let world = SandboxWorld(
            telegram: telegram, services: services, botName: botID.name, conversations: assembly.conversations,
            serviceHealth: assembly.serviceHealth, flows: flows,
            first: (options.name, options.language, options.roles))
        let pagePorts = AsyncStream<Int?>.makeStream()
        let page = SandboxPage(
            world: world, host: options.host, port: options.port, required: options.pageRequired, logger: logger,
            onListening: { pagePorts.continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(
            services: assembly.services + [page], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { world.close() }
        do {
            try await withThrowingTaskGroup(of: Finished.self) { tasks in
                tasks.addTask {
                    // A gateway that stops before listening ends the waits below.
                    defer {
                        listening.continuation.finish()
                        pagePorts.continuation.finish()
                    }
                    try await group.run()
                    return .gateway
                }
                var ports = listening.stream.makeAsyncIterator()
                var pages = pagePorts.stream.makeAsyncIterator()
                guard let port = await ports.next(), let pagePort = await pages.next() else {
                    try await tasks.waitForAll()
                    return
                }
                let client = BotAPIClient(configuration: .init(token: telegram.configuration.token, baseURL: telegram.baseURL), httpClient: assembly.http, logger: logger)
                try await client.setWebhook(SetWebhook(url: "http://127.0.0.1:\(port)/webhook", secretToken: secret))
                let url = pagePort.map { "http://\(Self.displayHost(options.host)):\($0)/" }
                tasks.addTask {
                    try await body(world, url)
                    return .body
                }
                switch try await tasks.next() {
                case .body:
                    await group.triggerGracefulShutdown()
                case .gateway, nil:
                    tasks.cancelAll()
                }
                try await tasks.waitForAll()
            }
        } catch {
            await assembly.http.shutdown()
            throw error
        }
        await assembly.http.shutdown()
    }

    /// A host a browser can open: the loopback address for a wildcard one.
    static func displayHost(_ host: String) -> String {
        switch host {
        case "0.0.0.0", "", "*": "127.0.0.1"
        case "::": "[::1]"
        default: host.contains(":") ? "[\(host)]" : host
        }
    }
}
