import Logging
import ServiceLifecycle
import TelegramBotAPI

extension GatewayAssembly {
    /// Where accepted updates go and how they are handled and answered.
    struct Pipeline {
        var sink: any UpdateSink
        var services: [any Service]
    }

    /// The durable inbox, dispatcher and outbox relays on Redis; without
    /// Redis, the in-process dispatcher sending through each bot's sender.
    static func buildPipeline(_ inputs: Inputs, storage: Storage, bots: Bots) -> Pipeline {
        let logger = inputs.logger
        let configuration = inputs.configuration
        let handlers = bots.pipelines
        let outbound = bots.senders
        guard let redis = storage.redis else {
            // A queue and workers per bot, as the durable pipeline has: a bot
            // whose steps wait on a slow backend never holds up another bot.
            let store = storage.conversations
            var dispatchers: [BotID: InProcessDispatcher] = [:]
            for bot in configuration.bots {
                guard let pipeline = handlers[bot.id], let sender = outbound[bot.id] else { continue }
                dispatchers[bot.id] = InProcessDispatcher(configuration: configuration.dispatcher, logger: logger) { delivery in
                    let conversation = RedisKeyspace.conversation(of: delivery.update)
                    try await InProcessStep.run(delivery, conversation: conversation, pipeline: pipeline, store: store, sender: sender, logger: logger)
                }
            }
            return Pipeline(sink: BotSinks(dispatchers), services: configuration.bots.compactMap { dispatchers[$0.id] })
        }
        // A private chat's conversation is named by the chat id, which is
        // the user's id: its lease also reads the user's profile and
        // rate-limit counters, which share its hash tag.
        let profiles = storage.conversations
        let limits = storage.rateLimits
        let inbox = RedisInbox(client: redis, configuration: configuration.redis?.pipeline ?? .init(), logger: logger) { bot, conversation, update in
            guard let user = Int64(conversation), user > 0 else { return [] }
            let hit = update.flatMap { RateLimitMiddleware.hit(for: $0, bot: bot) } ?? RateLimitHit(bot: bot, userID: user, isCommand: false)
            return (profiles.preloadKey(bot: bot.name, user: user).map { [$0] } ?? []) + limits.preloadKeys(for: hit)
        }
        // First in the list, so it stops last: the dispatcher and relays hand their work back before its goodbye.
        var services: [any Service] = [InstanceHeartbeat(inbox: inbox, stats: bots.stats, logger: logger)]
        let deadLetters = bots.deadLetters
        storage.readiness.register(
            DeadLetterCount(store: RedisDeadLetterStore(client: redis, keyPrefix: inbox.configuration.keyPrefix), bots: configuration.bots.map(\.id)))
        for bot in configuration.bots {
            guard let sender = outbound[bot.id] else { continue }
            let relay = OutboxRelay(inbox: inbox, bot: bot.id, sender: sender, logger: logger, deadLetters: deadLetters, budget: bots.budgets[bot.id])
            // Not ready while the bot cannot send at all (revoked token, wrong TELEGRAM_API_URL).
            storage.readiness.register(ClosureReadinessCheck(name: "bot_api_\(bot.id.name)") {
                relay.pauseReason.map { .down($0) } ?? .up
            })
            services.append(relay)
        }
        let notices = bots.notices
        services.append(InboxDispatcher(
            inbox: inbox, bots: configuration.bots.map(\.id), logger: logger, deadLetters: deadLetters,
            notice: { item in await notices.gaveUp(on: item.delivery.update, bot: item.delivery.bot) }
        ) { item in
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
        return Pipeline(sink: inbox, services: services)
    }
}
