/// Where a user's `/language` choice is kept: it outlives the FSM TTL and
/// restarts, and every instance sees it.
public protocol LanguagePreferences: Sendable {
    /// The language `userID` chose for `bot`, if any. Never throws: an
    /// unreachable store means "no choice known", and the next source decides.
    func language(bot: BotID, userID: Int64) async -> String?
    /// ``language(bot:userID:)``, answered from `preloaded` when it is the
    /// stored record this type would read.
    func language(bot: BotID, userID: Int64, preloaded: [PreloadedValue]) async -> String?
    /// Records the choice.
    func setLanguage(_ language: String, bot: BotID, userID: Int64, chatID: Int64) async throws
}

extension LanguagePreferences {
    public func language(bot: BotID, userID: Int64, preloaded: [PreloadedValue]) async -> String? {
        await self.language(bot: bot, userID: userID)
    }
}
