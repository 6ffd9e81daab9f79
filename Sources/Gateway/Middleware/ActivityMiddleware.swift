public import Persistence
public import TelegramBotAPI

/// Records what PostgreSQL keeps about use, without a write per update: the
/// user's last activity (batched by ``Persistence/SessionActivityWriter``)
/// and each command with its handling time (batched by
/// ``Persistence/MetricsRecorder``), plus failures by kind.
public struct ActivityMiddleware: UpdateMiddleware {
    private let activity: SessionActivityWriter
    private let metrics: MetricsRecorder

    /// Creates the middleware over the two write-behind buffers.
    public init(activity: SessionActivityWriter, metrics: MetricsRecorder) {
        self.activity = activity
        self.metrics = metrics
    }

    public func handle(
        _ update: Update,
        context: UpdateContext,
        next: @Sendable (Update, UpdateContext) async throws -> StepOutcome
    ) async throws -> StepOutcome {
        if let user = update.from, !user.isBot, let chat = update.chat {
            // The roles and language the user is seen with now, which /broadcast chooses its audience by.
            self.activity.touch(SessionTouch(
                bot: context.bot.name, telegramUserID: user.id, chatID: chat.id,
                roles: context.identity.map { $0.roles.sorted() }, locale: context.locale))
        }
        let command = AuthMiddleware.command(of: update)
        do {
            let outcome = try await next(update, context)
            self.metrics.record(MetricEvent(bot: context.bot.name, kind: .update, name: update.kind.fieldName, durationMS: context.elapsedMilliseconds))
            if let command {
                self.metrics.record(MetricEvent(bot: context.bot.name, kind: .command, name: command, durationMS: context.elapsedMilliseconds))
            }
            return outcome
        } catch {
            self.metrics.record(MetricEvent(bot: context.bot.name, kind: .error, name: command ?? update.kind.fieldName))
            throw error
        }
    }
}
