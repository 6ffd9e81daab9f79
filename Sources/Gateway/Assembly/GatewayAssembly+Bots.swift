import Foundation
import Synchronization
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
        /// Each bot's shared Telegram budget, with Redis.
        var budgets: [BotID: RedisSendBudget] = [:]
        var pipelines: [BotID: UpdatePipeline] = [:]
        var services: [any Service] = []
        /// The notices every bot sends in its users' languages.
        var notices: LocalizedNotices
        /// Where every bot and the durable pipeline keep what they give up on.
        var deadLetters: any DeadLetterStore
        /// What admins changed with `/settings`, applied by every bot.
        var settings: RuntimeSettings
        /// What this instance measured lately, for `/status`; the heartbeat shares it.
        var stats: LiveStats
        /// Every service client's calls, failures and circuit.
        var serviceHealth: ServiceHealthBoard
        /// The operator API, when `API_JWT_SECRET` or `API_JWT_PUBLIC_KEY_FILE` is set.
        var operatorAPI: OperatorAPI?
    }

    static func buildBots(_ inputs: Inputs, storage: Storage, http: HTTPClient) async throws -> Bots {
        let configuration = inputs.configuration
        let logger = inputs.logger
        let preferences = ProfileLanguagePreferences(profiles: storage.conversations, writeThrough: storage.activityWriter)
        let notices = LocalizedNotices(catalogs: inputs.catalogs, preferences: preferences)
        let bulkheads = ServiceBulkheads()
        let serviceHealth = ServiceHealthBoard()
        let stats = LiveStats(health: serviceHealth)
        // Each bot's Bot API client, for the webhook probe of /status; filled as the bots are built.
        let clients = BotAPIClients()
        let webhook: WebhookProbe = { bot in
            guard configuration.telegram.useWebhook, let client = clients.all.withLock({ $0[bot] }) else { return nil }
            guard let info = try? await client.getWebhookInfo() else { return nil }
            return StatusReport.Webhook(
                pending: info.pendingUpdateCount, lastError: info.lastErrorMessage,
                lastErrorAt: info.lastErrorDate.map { Date(timeIntervalSince1970: TimeInterval($0)) })
        }
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
                    bots: configuration.bots.map(\.id), readiness: storage.readiness, instanceID: instanceID, stats: stats, webhook: webhook)
            } else {
                LocalStatusSource(
                    bots: configuration.bots.map(\.id), readiness: storage.readiness, instanceID: instanceID, stats: stats, webhook: webhook)
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
        var bots = Bots(notices: notices, deadLetters: deadLetters, settings: settings, stats: stats, serviceHealth: serviceHealth)
        var kindServices: [any Service] = []
        var templates: [BotID: [String: MessageTemplate]] = [:]
        var commandSwitches: [BotID: any CommandSwitch] = [:]
        var profiles: [BotID: BotProfile] = [:]
        let messages = storage.redis.map { APIMessageEngine(store: APIMessageStore(client: $0, keyPrefix: storage.keyPrefix), logger: logger) }
        for bot in configuration.bots {
            guard let kind = inputs.kinds.kind(named: bot.kind) else {
                preconditionFailure("bot \(bot.id) names kind \(bot.kind), which BotKinds.check let through")
            }
            let client = BotAPIClient(
                configuration: .init(token: bot.token, baseURL: configuration.telegram.apiURL),
                httpClient: http,
                logger: logger,
                observer: { [id = bot.id, recorder = storage.metricsRecorder, metrics = GatewayMetrics()] call in
                    metrics.record(call)
                    if call.outcome == .rateLimited { stats.recordRateLimited(bot: id) }
                    recorder?.record(MetricEvent(bot: id.name, kind: .telegram, name: call.outcome.rawValue))
                }
            )
            clients.all.withLock { $0[bot.id] = client }
            // With Redis, every instance's sends of this bot draw on one budget.
            let budget = storage.redis.map {
                RedisSendBudget(client: $0, keyPrefix: storage.keyPrefix, bot: bot.id, limits: configuration.telegram.outboundLimits, logger: logger)
            }
            let sender = OutboundSender(
                client: client, configuration: .init(limits: configuration.telegram.outboundLimits), budget: budget, logger: logger)
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
                serviceHealth: serviceHealth,
                deadLetters: deadLetters,
                status: status,
                settings: settings,
                broadcasts: broadcasts
            )
            let parts = try await kind.makeBot(bot, context: context)
            var middleware: [any UpdateMiddleware] = [
                LoggingMiddleware(stats: stats),
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
            bots.budgets[bot.id] = budget
            broadcasts?.attach(sender, for: bot.id)
            messages?.attach(sender, for: bot.id)
            templates[bot.id] = parts.templates
            commandSwitches[bot.id] = parts.commandSwitch
            profiles[bot.id] = profile
            bots.services.append(sender)
            bots.services.append(BotSetupService(client: client, profile: profile, menus: parts.menus, logger: logger))
            kindServices += parts.services
        }
        var apiServices: [any Service] = []
        if configuration.api.isEnabled {
            let languages = RecipientLanguages(
                preferences: preferences, sessions: inputs.database.map { SessionRepository(database: $0, logger: logger) }, catalogs: inputs.catalogs)
            let schedules = storage.redis.map { ScheduleStore(client: $0, keyPrefix: storage.keyPrefix) }
            let scheduleRepository = inputs.database.map { ScheduleRepository(database: $0, logger: logger) }
            bots.operatorAPI = try OperatorAPI(
                parts: .init(
                    bots: configuration.bots.map(\.id), catalogs: inputs.catalogs, templates: templates, messages: messages, schedules: schedules,
                    scheduleRepository: scheduleRepository, languages: languages, status: status,
                    metrics: inputs.database.map { MetricsRepository(database: $0, logger: logger) }, settings: settings,
                    commandSwitches: commandSwitches, senders: bots.senders, broadcasts: broadcasts, profiles: profiles,
                    usesWebhook: configuration.telegram.useWebhook),
                configuration: configuration.api, logger: logger)
            if let messages, let schedules {
                apiServices = [
                    messages,
                    ScheduleEngine(
                        store: schedules, messages: messages, repository: scheduleRepository, languages: languages, catalogs: inputs.catalogs,
                        templates: templates, configuration: configuration.api, logger: logger),
                ]
            }
        }
        // The command catalogs the kinds asked for poll for edits; they run before the bots' own parts.
        // The broadcast engine and the operator API's send through the senders, so they stop before them.
        bots.services = storage.directories.services + [settings] + kindServices + bots.services + (broadcasts.map { [$0] } ?? []) + apiServices
        return bots
    }
}

/// The bots' Bot API clients by bot, filled as the bots are built.
private final class BotAPIClients: Sendable {
    let all = Mutex<[BotID: BotAPIClient]>([:])
}
