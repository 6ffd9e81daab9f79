public import Localization
public import TelegramBotAPI

/// Maintenance mode (`/settings`): while it is on, an update from anyone
/// but an admin is acknowledged and not handled — its conversation's state
/// stays as it was, so a flow resumes where it stopped once the mode is off —
/// and its sender gets the maintenance notice in their language, at most
/// once per ``RuntimeSettings/maintenanceNoticeWindow``.
///
/// It runs after the auth and locale middleware: an admin is a user with
/// the `admin` role or listed in `ADMIN_USER_IDS`, and the notice is worded
/// in the language chosen for the user.
public struct MaintenanceMiddleware: UpdateMiddleware {
    private let settings: RuntimeSettings
    private let admins: Set<Int64>
    private let catalogs: Catalogs

    /// Creates the middleware.
    public init(settings: RuntimeSettings, admins: Set<Int64>, catalogs: Catalogs) {
        self.settings = settings
        self.admins = admins
        self.catalogs = catalogs
    }

    public func handle(
        _ update: Update,
        context: UpdateContext,
        next: @Sendable (Update, UpdateContext) async throws -> StepOutcome
    ) async throws -> StepOutcome {
        let settings = self.settings.settings(for: context.bot)
        guard settings.maintenance else { return try await next(update, context) }
        guard let user = update.from, !user.isBot else { return StepOutcome() }
        if self.admins.contains(user.id) || context.identity?.roles.contains("admin") == true {
            return try await next(update, context)
        }
        var replies: [OutboundCall] = update.callbackQuery.map { [.answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: $0.id))] } ?? []
        if let chat = update.chat, await self.settings.claimMaintenanceNotice(user: user.id, bot: context.bot) {
            let texts = self.catalogs.localizer(for: LocaleCode(context.locale) ?? self.catalogs.defaultLocale)
            let text = [texts.text("maintenance.notice"), settings.maintenanceMessage].compactMap { $0 }.joined(separator: "\n\n")
            replies.append(.sendMessage(SendMessage(chatID: chat.id, text: text, messageThreadID: update.message?.messageThreadID)))
        }
        context.logger.info("update held back: maintenance mode")
        return StepOutcome(replies: replies)
    }
}
