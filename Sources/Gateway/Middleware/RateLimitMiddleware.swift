public import TelegramBotAPI

/// Holds each user to ``RateLimitPolicy``: past a limit the update is dropped
/// (acknowledged, not handled), the user gets one notice, then silence until
/// the window passes. A button pressed again within the repeat window counts
/// once: the repeat only has its callback answered.
///
/// If the store is unreachable the update passes: a limit is a courtesy to
/// the services, not worth losing a user's message for.
public struct RateLimitMiddleware: UpdateMiddleware {
    /// Builds the notice for a user who just went past a limit.
    public typealias Notice = @Sendable (Update, UpdateContext) async -> [OutboundCall]

    private let store: any RateLimitStore
    private let policy: RateLimitPolicy
    private let notice: Notice

    /// Creates the middleware.
    public init(store: any RateLimitStore, policy: RateLimitPolicy, notice: @escaping Notice) {
        self.store = store
        self.policy = policy
        self.notice = notice
    }

    public func handle(
        _ update: Update,
        context: UpdateContext,
        next: @Sendable (Update, UpdateContext) async throws -> StepOutcome
    ) async throws -> StepOutcome {
        guard let user = update.from, !user.isBot else {
            return try await next(update, context)
        }
        let query = update.callbackQuery
        let button = query.flatMap { query in query.data.map { "\(query.message?.messageID ?? 0):\($0)" } }
        let hit = RateLimitHit(bot: context.bot, userID: user.id, isCommand: update.message?.botCommand != nil, button: button)
        do {
            switch try await self.store.record(hit, policy: self.policy) {
            case .allowed:
                break
            case .repeatedPress:
                context.logger.debug("repeated button press ignored")
                return StepOutcome(replies: Self.answer(query))
            case .notify:
                context.logger.notice("user rate-limited; notice sent", metadata: ["user_id": "\(user.id)"])
                return StepOutcome(replies: Self.answer(query) + (await self.notice(update, context)))
            case .silent:
                return StepOutcome(replies: Self.answer(query))
            }
        } catch {
            context.logger.warning("rate limit check failed; update let through", metadata: ["error": "\(error)"])
        }
        return try await next(update, context)
    }

    private static func answer(_ query: CallbackQuery?) -> [OutboundCall] {
        query.map { [.answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: $0.id))] } ?? []
    }
}
