import RedisClient
public import TelegramBotAPI

/// Holds each user to ``RateLimitPolicy``: past a limit the update is dropped
/// (acknowledged, not handled), the user gets one notice, then silence until
/// the window passes. A button pressed again within the repeat window counts
/// once: the repeat only has its callback answered.
///
/// The limits are the environment's, or those an admin set with `/settings`
/// (``RuntimeSettings``) in their place.
///
/// If the store is unreachable the update passes: a limit is a courtesy to
/// the services, not worth losing a user's message for.
///
/// When the pipeline read the user's counters with the conversation's lease
/// (their private chat, see ``RateLimitStore/decide(_:policy:preloaded:)``),
/// the decision is taken from them and the hit is counted by the step's
/// commit: no round trip of its own.
public struct RateLimitMiddleware: UpdateMiddleware {
    /// Builds the notice for a user who just went past a limit.
    public typealias Notice = @Sendable (Update, UpdateContext) async -> [OutboundCall]

    private let store: any RateLimitStore
    private let policy: RateLimitPolicy
    private let settings: RuntimeSettings?
    private let notice: Notice

    /// Creates the middleware holding users to `policy`, or to the limits
    /// `settings` puts in its place.
    public init(store: any RateLimitStore, policy: RateLimitPolicy, settings: RuntimeSettings? = nil, notice: @escaping Notice) {
        self.store = store
        self.policy = policy
        self.settings = settings
        self.notice = notice
    }

    public func handle(
        _ update: Update,
        context: UpdateContext,
        next: @Sendable (Update, UpdateContext) async throws -> StepOutcome
    ) async throws -> StepOutcome {
        guard let hit = Self.hit(for: update, bot: context.bot) else {
            return try await next(update, context)
        }
        let policy = self.settings?.settings(for: context.bot).rateLimits(over: self.policy) ?? self.policy
        let decision: RateLimitDecision
        var writes: [[RedisArgument]] = []
        if let preloaded = self.store.decide(hit, policy: policy, preloaded: context.preloaded) {
            (decision, writes) = (preloaded.decision, preloaded.writes)
        } else {
            do {
                decision = try await self.store.record(hit, policy: policy)
            } catch {
                context.logger.warning("rate limit check failed; update let through", metadata: ["error": "\(error)"])
                decision = .allowed
            }
        }
        let query = update.callbackQuery
        var outcome: StepOutcome
        switch decision {
        case .allowed:
            outcome = try await next(update, context)
        case .repeatedPress:
            context.logger.debug("repeated button press ignored")
            outcome = StepOutcome(replies: Self.answer(query))
        case .notify:
            context.logger.notice("user rate-limited; notice sent", metadata: ["user_id": "\(hit.userID)"])
            outcome = StepOutcome(replies: Self.answer(query) + (await self.notice(update, context)))
        case .silent:
            outcome = StepOutcome(replies: Self.answer(query))
        }
        outcome.writes += writes
        return outcome
    }

    /// What `update` counts as under the limits; nil for updates from no
    /// user or from a bot, which are not limited. A button is told apart by
    /// its message and data, so the same button pressed twice is a repeat.
    public static func hit(for update: Update, bot: BotID) -> RateLimitHit? {
        guard let user = update.from, !user.isBot else { return nil }
        let query = update.callbackQuery
        let button = query.flatMap { query in query.data.map { "\(query.message?.messageID ?? 0):\($0)" } }
        return RateLimitHit(bot: bot, userID: user.id, isCommand: update.message?.botCommand != nil, button: button)
    }

    private static func answer(_ query: CallbackQuery?) -> [OutboundCall] {
        query.map { [.answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: $0.id))] } ?? []
    }
}
