import ServiceClients
import CurlHTTP
import Logging
import Persistence
import ServiceLifecycle
import TelegramBotAPI

extension GatewayAssembly {
    /// Each configured bot: its Bot API client and sender, and the parts its
    /// kind builds, behind the standard middleware.
    struct Bots {
        var senders: [BotID: OutboundSender] = [:]
        var pipelines: [BotID: UpdatePipeline] = [:]
        var services: [any Service] = []
        /// The notices every bot sends in its users' languages.
        var notices: LocalizedNotices
        /// Where every bot and the durable pipeline keep what they give up on.
        var deadLetters: any DeadLetterStore
        /// What admins changed with `/settings`, applied by every bot.
        var settings: RuntimeSettings
    }

    static func buildBots(_ inputs: Inputs, storage: Storage, http: HTTPClient) async throws -> Bots {
        let configuration = inputs.configuration
        let logger = inputs.logger
        let preferences = ProfileLanguagePreferences(profiles: storage.conversations, writeThrough: storage.activityWriter)
        let notices = LocalizedNotices(catalogs: inputs.catalogs, preferences: preferences)
        let bulkheads = ServiceBulkheads()
        let deadLetters: any DeadLetterStore =
            switch (storage.redis, inputs.database) {
            case (let redis?, let database?):
                DeadLetterHistory(
                    store: RedisDeadLetterStore(client: redis, keyPrefix: storage.keyPrefix),
                    repository: DeadLetterRepository(database: database, logger: logger), logger: logger)
            case (let redis?, nil): RedisDeadLetterStore(client: redis, keyPrefix: storage.keyPrefix)
            case (nil, _): InMemoryDeadLetterStore()
            }
        let instanceID = configuration.redis?.pipeline.instanceID ?? InstanceIdentity.defaultID(port: configuration.server.port)
        let status: any StatusSource =
            if let redis = storage.redis {
                RedisStatusSource(
                    client: redis, keys: RedisKeyspace(prefix: storage.keyPrefix),
                    deadLetters: RedisDeadLetterStore(client: redis, keyPrefix: storage.keyPrefix),
                    bots: configuration.bots.map(\.id), readiness: storage.readiness, instanceID: instanceID)
            } else {
                LocalStatusSource(bots: configuration.bots.map(\.id), readiness: storage.readiness, instanceID: instanceID)
            }
        let settingsStore: any AdminSettingsStore =
            if let redis = storage.redis { RedisAdminSettingsStore(client: redis, keyPrefix: storage.keyPrefix) } else { InMemoryAdminSettingsStore() }
        let settings = RuntimeSettings(
            store: settingsStore, bots: configuration.bots.map(\.id),
            audit: AdminAudit(repository: inputs.database.map { AdminAuditRepository(database: $0, logger: logger) }, logger: logger),
            logger: logger)
        let broadcasts: BroadcastEngine? =
            switch (storage.redis, inputs.database) {
            case (let redis?, let database?):
                BroadcastEngine(
                    store: RedisBroadcastStore(client: redis, keyPrefix: storage.keyPrefix),
                    audiences: BroadcastAudienceRepository(database: database, logger: logger),
                    catalogs: inputs.catalogs, bots: configuration.bots.map(\.id), instanceID: instanceID, logger: logger)
            default: nil
            }
        var bots = Bots(notices: notices, deadLetters: deadLetters, settings: settings)
        var kindServices: [any Service] = []
        for bot in configuration.bots {
            guard let kind = inputs.kinds.kind(named: bot.kind) else {
                preconditionFailure("bot \(bot.id) names kind \(bot.kind), which BotKinds.check let through")
            }
            let client = BotAPIClient(
                configuration: .init(token: bot.token, baseURL: configuration.telegram.apiURL),
                httpClient: http,
                logger: logger,
                observer: { GatewayMetrics().record($0) }
            )
            let sender = OutboundSender(client: client, configuration: .init(limits: configuration.telegram.outboundLimits), logger: logger)
            let profile = BotProfile()
            let context = BotContext(
                configuration: configuration,
                catalogs: inputs.catalogs,
                httpClient: http,
                logger: logger,
                redis: storage.redis,
                keyPrefix: storage.keyPrefix,
                database: inputs.database,
                preferences: preferences,
                notices: notices,
                profile: profile,
                directories: storage.directories,
                bulkheads: bulkheads,
                deadLetters: deadLetters,
                status: status,
                settings: settings,
                broadcasts: broadcasts
            )
            let parts = try await kind.makeBot(bot, context: context)
            var middleware: [any UpdateMiddleware] = [
                LoggingMiddleware(),
                RateLimitMiddleware(store: storage.rateLimits, policy: configuration.rateLimits, settings: settings, notice: notices.rateLimited),
            ]
            middleware += parts.middleware
            middleware.append(LocaleMiddleware(supported: inputs.catalogs.locales, defaultLocale: inputs.catalogs.defaultLocale, settings: settings) {
                context, user in
                await preferences.language(bot: context.bot, userID: user, preloaded: context.preloaded)
            })
            middleware.append(MaintenanceMiddleware(settings: settings, admins: configuration.downstream.adminUserIDs, catalogs: inputs.catalogs))
            if let activity = storage.activity {
                middleware.append(activity)
            }
            bots.pipelines[bot.id] = UpdatePipeline(middleware: middleware, handler: parts.handler)
            bots.senders[bot.id] = sender
            broadcasts?.attach(sender, for: bot.id)
            bots.services.append(sender)
            bots.services.append(BotSetupService(client: client, profile: profile, menus: parts.menus, logger: logger))
            kindServices += parts.services
        }
        // The command catalogs the kinds asked for poll for edits; they run before the bots' own parts.
        // The broadcast engine sends through the senders, so it stops before them.
        bots.services = storage.directories.services + [settings] + kindServices + bots.services + (broadcasts.map { [$0] } ?? [])
        return bots
    }
}
