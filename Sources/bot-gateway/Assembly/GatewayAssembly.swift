import Conversations
import CurlHTTP
import Foundation
import Gateway
import Localization
import Logging
import OpenSSLTLS
import Persistence
import Prometheus
import RedisClient
import ServiceLifecycle
import TelegramBotAPI
import UKManagementBot

/// Puts the gateway together from its configuration: storage (Redis or
/// memory, PostgreSQL if configured), the downstream clients, the middleware
/// and the UK bot, the dispatcher and the senders, and the HTTP server.
/// `serve` and `sandbox` both run what it builds.
struct GatewayAssembly {
    /// The services in start order; the group stops them in reverse.
    var services: [any Service] = []
    /// The HTTP client's thread, stopped after the services.
    let http: HTTPClient

    /// Everything `build` needs besides the configuration.
    struct Inputs {
        var configuration: GatewayConfiguration
        /// PostgreSQL, running and migrated; nil without `DATABASE_URL`.
        var database: Database?
        var catalogs: Catalogs
        var registry: PrometheusCollectorRegistry
        var tls: TLSContextStore?
        var logger: Logger
        /// Called with the bound port once the server listens.
        var onListening: @Sendable (Int) async -> Void = { _ in }
    }

    static func build(_ inputs: Inputs) async throws -> GatewayAssembly {
        let configuration = inputs.configuration
        let logger = inputs.logger
        let http = try HTTPClient()
        var services: [any Service] = []
        let readiness = ReadinessChecks()

        // Storage: Redis when configured, else this process's memory.
        let redisClient = configuration.redis.map { RedisClient(configuration: $0.connection, logger: logger) }
        let redisRoundTrips = redisClient.map { RedisRoundTripMetric(client: $0, registry: inputs.registry) }
        let pipeline = configuration.redis?.pipeline ?? DurablePipelineConfiguration()
        let store: any ConversationStore
        let rateLimits: any RateLimitStore
        var sessionCache: (any AuthSessionCache)?
        if let redisClient {
            services.append(redisClient)
            readiness.register(RedisReadinessCheck(client: redisClient))
            store = RedisConversationStore(client: redisClient, keyPrefix: pipeline.keyPrefix, fsmTTL: pipeline.fsmTTL, sessionTTL: pipeline.sessionTTL)
            rateLimits = RedisRateLimitStore(client: redisClient, keyPrefix: pipeline.keyPrefix)
            sessionCache = RedisAuthSessionCache(client: redisClient, keyPrefix: pipeline.keyPrefix)
        } else {
            store = InMemoryConversationStore(clock: ContinuousClock(), fsmTTL: pipeline.fsmTTL, sessionTTL: pipeline.sessionTTL)
            rateLimits = InMemoryRateLimitStore()
        }

        // PostgreSQL, when configured: the commands load before the first update is handled.
        var sessions: SessionRepository?
        var commands: any CommandDirectory = StaticCommandDirectory(UKCommands.defaultRoutes)
        var recording: ActivityMiddleware?
        if let database = inputs.database {
            readiness.register(PostgresReadinessCheck(database: database))
            let repository = SessionRepository(database: database, logger: logger)
            sessions = repository
            let catalog = CommandCatalog(bot: UKCommands.catalogName, repository: CommandRepository(database: database, logger: logger), logger: logger)
            try await catalog.refresh()
            commands = catalog
            services.append(catalog)
            let activity = SessionActivityWriter(store: repository, logger: logger)
            let metrics = MetricsRecorder(repository: MetricsRepository(database: database, logger: logger), logger: logger)
            services.append(activity)
            services.append(metrics)
            recording = ActivityMiddleware(activity: activity, metrics: metrics)
            services.append(DatabaseJanitor(
                callbacks: CallbackPayloadStore(database: database, logger: logger),
                metrics: MetricsRepository(database: database, logger: logger),
                logger: logger
            ))
        }

        // Downstream services, sharing one login per user across instances.
        var tokens: CachingAccessTokenProvider?
        let downstream = try DownstreamClients(
            configuration: configuration.downstream,
            httpClient: http,
            logger: logger,
            requiredBy: "the UK bot"
        ) { auth in
            let provider = CachingAccessTokenProvider(auth: auth, shared: sessionCache)
            tokens = provider
            return provider
        }
        guard let tokens else { preconditionFailure("DownstreamClients made no token provider") }

        let preferences = ProfileLanguagePreferences(profiles: store, sessions: sessions)
        let notices = UKNotices(catalogs: inputs.catalogs, preferences: preferences)
        var middleware: [any UpdateMiddleware] = [
            LoggingMiddleware(),
            RateLimitMiddleware(store: rateLimits, policy: configuration.rateLimits, notice: notices.rateLimited),
            AuthMiddleware(identities: SessionIdentityProvider(tokens: tokens), commands: commands, admins: configuration.downstream.adminUserIDs, notice: notices.refused),
            LocaleMiddleware(supported: inputs.catalogs.locales, defaultLocale: inputs.catalogs.defaultLocale) { context, user in
                await preferences.language(bot: context.bot, userID: user, preloaded: context.preloaded)
            },
        ]
        if let recording {
            middleware.append(recording)
        }

        // One client, sender and bot per configured bot.
        var senders: [BotID: OutboundSender] = [:]
        var pipelines: [BotID: UpdatePipeline] = [:]
        for bot in configuration.bots {
            let client = BotAPIClient(
                configuration: .init(token: bot.token, baseURL: configuration.telegram.apiURL),
                httpClient: http,
                logger: logger,
                observer: { GatewayMetrics().record($0) }
            )
            let sender = OutboundSender(client: client, configuration: .init(limits: configuration.telegram.outboundLimits), logger: logger)
            senders[bot.id] = sender
            let profile = BotProfile()
            let handler = try UKBot(.init(catalogs: inputs.catalogs, services: downstream, preferences: preferences, commands: commands, profile: profile))
            pipelines[bot.id] = UpdatePipeline(middleware: middleware, handler: handler)
            services.append(sender)
            services.append(BotSetupService(client: client, profile: profile, menus: UKCommands.menus(directory: commands, catalogs: inputs.catalogs), logger: logger))
        }

        let sink: any UpdateSink
        let handlers = pipelines
        let outbound = senders
        if let redisClient {
            // A private chat's conversation is named by the chat id, which is
            // the user's id: its lease also reads the user's profile and
            // rate-limit counters, which share its hash tag.
            let profiles = store
            let limits = rateLimits
            let inbox = RedisInbox(client: redisClient, configuration: pipeline, logger: logger) { bot, conversation, update in
                guard let user = Int64(conversation), user > 0 else { return [] }
                let hit = update.flatMap { RateLimitMiddleware.hit(for: $0, bot: bot) } ?? RateLimitHit(bot: bot, userID: user, isCommand: false)
                return (profiles.preloadKey(bot: bot.name, user: user).map { [$0] } ?? []) + limits.preloadKeys(for: hit)
            }
            for bot in configuration.bots {
                guard let sender = senders[bot.id] else { continue }
                services.append(OutboxRelay(inbox: inbox, bot: bot.id, sender: sender, logger: logger))
            }
            services.append(InboxDispatcher(inbox: inbox, bots: configuration.bots.map(\.id), logger: logger) { item in
                guard let pipeline = handlers[item.delivery.bot] else { return .unchanged }
                let update = item.delivery.update
                let context = UpdateContext(
                    update: update,
                    bot: item.delivery.bot,
                    conversation: item.conversation,
                    state: item.state,
                    raw: item.delivery.raw,
                    preloaded: item.preloaded,
                    logger: logger
                )
                return try await pipeline.run(update, context: context)
            })
            sink = inbox
        } else {
            let dispatcher = InProcessDispatcher(configuration: configuration.dispatcher, logger: logger) { delivery in
                guard let pipeline = handlers[delivery.bot], let sender = outbound[delivery.bot] else { return }
                let conversation = RedisKeyspace.conversation(of: delivery.update)
                try await InProcessStep.run(delivery, conversation: conversation, pipeline: pipeline, store: store, sender: sender, logger: logger)
            }
            services.append(dispatcher)
            sink = dispatcher
        }

        let webhook = WebhookEndpoint(
            bots: configuration.webhookBots,
            options: .init(maxBodyBytes: configuration.server.maxBodyBytes, addressPolicy: configuration.server.addressPolicy),
            sink: sink,
            logger: logger
        )
        let server = configuration.server
        let tls = inputs.tls
        let onListening = inputs.onListening
        let application = GatewayApplication.make(
            webhook: webhook,
            operational: OperationalEndpoints(
                readiness: readiness,
                metrics: MetricsEndpoint(registry: inputs.registry, beforeEmitting: { redisRoundTrips?.update() })
            ),
            host: server.host,
            port: server.port,
            tls: tls,
            logger: logger,
            onServerRunning: { port in
                logger.info(
                    "gateway listening",
                    metadata: [
                        "host": "\(server.host)",
                        "port": "\(port)",
                        "tls": "\(tls?.certificate.description ?? "off")",
                        "bots": "\(configuration.bots.map { "\($0.id)=\($0.webhookPath)" }.joined(separator: ","))",
                    ]
                )
                await onListening(port)
            }
        )
        services.append(application)
        if !configuration.telegram.useWebhook {
            for bot in configuration.bots {
                let client = BotAPIClient(configuration: .init(token: bot.token, baseURL: configuration.telegram.apiURL), httpClient: http, logger: logger)
                services.append(LongPollingService(
                    bot: bot.id,
                    client: client,
                    sink: sink,
                    configuration: .init(timeout: configuration.telegram.pollingTimeout, allowedUpdates: Update.handledKinds),
                    logger: logger
                ))
            }
        }
        if let tls {
            services.append(CertificateReloadService(store: tls, logger: logger))
        }
        return GatewayAssembly(services: services, http: http)
    }
}
