public import Localization
public import TelegramBotAPI

/// The messages the gateway sends on a bot's behalf — the rate-limit notice,
/// auth refusals and an update given up on — in the user's language, from the shared catalog keys
/// `limits.notice` and `error.*`. Middleware runs before the locale is
/// chosen, so a notice chooses it the same way.
public struct LocalizedNotices: Sendable {
    private let catalogs: Catalogs
    private let preferences: any LanguagePreferences

    /// Creates the notices.
    public init(catalogs: Catalogs, preferences: any LanguagePreferences) {
        self.catalogs = catalogs
        self.preferences = preferences
    }

    /// For ``RateLimitMiddleware``: the one notice past a limit.
    public var rateLimited: RateLimitMiddleware.Notice {
        { update, context in await self.message("limits.notice", update, context) }
    }

    /// For ``AuthMiddleware``: why the update was refused.
    public var refused: AuthMiddleware.Notice {
        { refusal, update, context in
            let key = switch refusal {
            case .blocked: "error.blocked"
            case .forbidden: "error.forbidden"
            case .unavailable: "error.service_unavailable"
            }
            return await self.message(key, update, context)
        }
    }

    /// For the durable dispatcher: an update it gave up on (`error.unexpected`).
    public func gaveUp(on update: Update, bot: BotID) async -> [OutboundCall] {
        await self.message("error.unexpected", update, bot: bot, identityLanguage: nil)
    }

    private func message(_ key: String, _ update: Update, _ context: UpdateContext) async -> [OutboundCall] {
        await self.message(key, update, bot: context.bot, identityLanguage: context.identity?.language)
    }

    private func message(_ key: String, _ update: Update, bot: BotID, identityLanguage: String?) async -> [OutboundCall] {
        guard let chat = update.chat, let user = update.from else { return [] }
        let stored = await self.preferences.language(bot: bot, userID: user.id) ?? identityLanguage
        let locale = LocaleResolver.resolve(stored: stored, telegram: user.languageCode, supported: self.catalogs.locales, default: self.catalogs.defaultLocale)
        return [.sendMessage(SendMessage(chatID: chat.id, text: self.catalogs.text(key, locale: locale), messageThreadID: update.message?.messageThreadID))]
    }
}
