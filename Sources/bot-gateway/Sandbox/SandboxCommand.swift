import ArgumentParser
import Foundation
import Gateway
import Localization
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import TelegramBotAPI
import TelegramEmulator
import UKServiceFakes
import UKManagementBot

/// `bot-gateway sandbox`: the gateway with in-memory storage, the emulator's
/// fake Telegram and fake services in this process, and a person chatting
/// with the UK bot in the terminal. Needs nothing else running.
struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Chat with the UK bot in the terminal; no Telegram, Redis, PostgreSQL or services needed."
    )

    @Option(help: "Your first name in the chat.")
    var name = "Alex"

    @Option(help: "Your Telegram language_code (en, ru, uz, or any other to see the fallback).")
    var language = "en"

    @Option(help: "Your roles at the services: applicant, executor, manager, admin (repeat for several).")
    var role: [String] = ["applicant"]

    @Flag(help: "Print the gateway's logs to stderr.")
    var verbose = false

    static let userID: Int64 = 700_001

    func run() async throws {
        let verbose = self.verbose
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = verbose ? .info : .critical
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(GatewayMetrics.makeFactory(registry: registry))
        let logger = Logger(label: "sandbox")

        let catalogs = ServeCommand.loadCatalogs()
        let telegram = FakeTelegram()
        let services = FakeServices(configuration: .init(users: [
            ServiceUser(id: "u-sandbox", telegramID: Self.userID, fullName: self.name, roles: self.role),
        ]))
        try await telegram.start()
        try await services.start()

        let secret = "sandbox-secret"
        let configuration = GatewayConfiguration(
            bots: [.init(id: BotID("uk"), token: telegram.configuration.token, webhookPath: "/webhook", webhookSecret: secret)],
            telegram: .init(apiURL: telegram.baseURL),
            server: .init(host: "127.0.0.1", port: 0, shutdownTimeout: .seconds(2)),
            admin: .init(host: "127.0.0.1", port: 0),
            downstream: DownstreamConfiguration(serviceURLs: Dictionary(uniqueKeysWithValues: DownstreamClients.serviceNames.map { ($0, services.baseURL) }))
        )
        let listening = AsyncStream<Int>.makeStream()
        let assembly = try await GatewayAssembly.build(.init(
            configuration: configuration,
            kinds: ServeCommand.kinds,
            catalogs: catalogs,
            registry: registry,
            logger: logger,
            onListening: { listening.continuation.yield($0) }
        ))
        let group = ServiceGroup(configuration: .init(services: assembly.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let chat = telegram.privateUser(id: Self.userID, firstName: self.name, languageCode: self.language)

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var ports = listening.stream.makeAsyncIterator()
            guard let port = await ports.next() else { return }
            let client = BotAPIClient(configuration: .init(token: telegram.configuration.token, baseURL: telegram.baseURL), httpClient: assembly.http, logger: logger)
            try await client.setWebhook(SetWebhook(url: "http://127.0.0.1:\(port)/webhook", secretToken: secret))
            print("UK bot sandbox: you are \(self.name) (\(self.role.joined(separator: ", ")), language \(self.language)). Type /start to begin, :help for help, :quit to leave.")
            await SandboxConsole(telegram: telegram, chat: chat).run()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await assembly.http.shutdown()
        await services.shutdown()
        await telegram.shutdown()
    }
}
