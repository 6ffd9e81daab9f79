public import Conversations
public import CurlHTTP
public import Localization
public import Logging
public import OpenSSLTLS
public import Persistence
public import Prometheus
public import ServiceClients
public import ServiceLifecycle

/// Puts the gateway together from its configuration, in four parts built by
/// functions of their own: storage (Redis or memory, PostgreSQL if
/// configured), the bots (each by the kind its configuration names), the
/// pipeline (durable on Redis, or in process) and the listeners (webhook,
/// long polling). `serve` and `sandbox` both run what it builds.
public struct GatewayAssembly: Sendable {
    /// The services in start order; the group stops them in reverse.
    public var services: [any Service] = []
    /// The HTTP client's thread, stopped after the services.
    public let http: HTTPClient
    /// Where the bots' conversations live (Redis or memory), for tools that show them, such as
    /// the sandbox's inspector.
    public let conversations: any ConversationStore
    /// Each downstream service's calls, failures and circuit state.
    public let serviceHealth: ServiceHealthBoard

    /// Everything ``build(_:)`` needs besides the configuration.
    public struct Inputs: Sendable {
        /// The configuration, read once at start.
        public var configuration: GatewayConfiguration
        /// The bot kinds this gateway carries.
        public var kinds: BotKinds
        /// PostgreSQL's pool, running; nil without `DATABASE_URL`.
        public var database: Database?
        /// Brings PostgreSQL in whenever it answers (migrations, catch-up);
        /// nil when the database is known to be migrated (tests) or absent.
        public var databaseConnector: DatabaseConnector?
        /// The message catalogs (`locales/`), checked.
        public var catalogs: Catalogs
        /// Where `/metrics` reads from; the process's swift-metrics factory writes to it.
        public var registry: PrometheusCollectorRegistry
        /// The webhook listener's certificate; nil serves plain HTTP.
        public var tls: TLSContextStore?
        /// The admin listener's certificate; nil serves plain HTTP.
        public var adminTLS: TLSContextStore?
        /// The gateway's logger.
        public var logger: Logger
        /// Called with the bound port once the webhook listener listens.
        public var onListening: @Sendable (Int) async -> Void
        /// Called with the bound port once the admin listener listens.
        public var onAdminListening: @Sendable (Int) async -> Void

        /// Creates the inputs.
        public init(
            configuration: GatewayConfiguration,
            kinds: BotKinds,
            database: Database? = nil,
            databaseConnector: DatabaseConnector? = nil,
            catalogs: Catalogs,
            registry: PrometheusCollectorRegistry,
            tls: TLSContextStore? = nil,
            adminTLS: TLSContextStore? = nil,
            logger: Logger,
            onListening: @escaping @Sendable (Int) async -> Void = { _ in },
            onAdminListening: @escaping @Sendable (Int) async -> Void = { _ in }
        ) {
            self.configuration = configuration
            self.kinds = kinds
            self.database = database
            self.databaseConnector = databaseConnector
            self.catalogs = catalogs
            self.registry = registry
            self.tls = tls
            self.adminTLS = adminTLS
            self.logger = logger
            self.onListening = onListening
            self.onAdminListening = onAdminListening
        }
    }

    /// Builds every part; nothing runs until the services are run.
    /// - Throws: ``ConfigurationError`` for a bot its kind refuses, or the
    ///   error of a part that cannot be made (the commands table unreadable, …).
    public static func build(_ inputs: Inputs) async throws -> GatewayAssembly {
        try inputs.kinds.check(inputs.configuration)
        let http = try HTTPClient()
        do {
            let storage = Storage.build(inputs)
            let bots = try await Self.buildBots(inputs, storage: storage, http: http)
            let pipeline = Self.buildPipeline(inputs, storage: storage, bots: bots)
            let listeners = Self.buildListeners(inputs, storage: storage, sink: pipeline.sink, http: http, api: bots.operatorAPI)
            let services = storage.services + bots.services + pipeline.services + listeners
            return GatewayAssembly(services: services, http: http, conversations: storage.conversations, serviceHealth: bots.serviceHealth)
        } catch {
            await http.shutdown()
            throw error
        }
    }
}
