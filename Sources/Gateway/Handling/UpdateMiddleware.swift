public import TelegramBotAPI

/// One concern applied to every update before the bot sees it — logging,
/// rate limits, auth, locale — in the style of Hummingbird's middleware.
///
/// A middleware calls `next` to pass the update on (with a changed context
/// if it learned something), or returns its own outcome to stop it there.
public protocol UpdateMiddleware: Sendable {
    /// Handles `update`, usually by calling `next`.
    func handle(
        _ update: Update,
        context: UpdateContext,
        next: @Sendable (Update, UpdateContext) async throws -> StepOutcome
    ) async throws -> StepOutcome
}

/// A bot: what it does with an update that passed every middleware.
public protocol UpdateHandler: Sendable {
    /// Decides the step: the conversation's new state and the replies.
    func handle(_ update: Update, context: UpdateContext) async throws -> StepOutcome
}
