public import Localization
public import Persistence

/// The language a message for a user is rendered in: their `/language`
/// choice, else the language the bot last answered them in (Telegram's, from
/// `bot_sessions`), else the catalogs' default. A group chat gets the default.
public struct RecipientLanguages: Sendable {
    let preferences: any LanguagePreferences
    let sessions: SessionRepository?
    let catalogs: Catalogs

    /// Creates the lookup.
    public init(preferences: any LanguagePreferences, sessions: SessionRepository?, catalogs: Catalogs) {
        self.preferences = preferences
        self.sessions = sessions
        self.catalogs = catalogs
    }

    /// The locale for chat `chatID` of `bot` (a positive id is a user's private chat).
    func locale(bot: BotID, chatID: Int64) async -> LocaleCode {
        guard chatID > 0 else { return self.catalogs.defaultLocale }
        var language = await self.preferences.language(bot: bot, userID: chatID)
        if language == nil, let sessions = self.sessions {
            language = try? await sessions.answeringLanguage(bot: bot.name, telegramUserID: chatID)
        }
        return language.flatMap { LocaleCode($0) }.flatMap { code in self.catalogs.locales.contains(code) ? code : nil } ?? self.catalogs.defaultLocale
    }
}
