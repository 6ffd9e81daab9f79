public import Conversations
import Foundation
public import Persistence

/// ``LanguagePreferences`` in the conversation store, never in PostgreSQL
/// during a step: the user's profile (session TTL, read with the
/// conversation's state) answers most updates; without a profile, the chosen
/// language (kept without expiry) is read once and kept in a new profile.
/// A choice is written through to `bot_sessions` behind, by the activity
/// writer, and ``LanguageCatchUp`` copies the table's choices back into the
/// store when PostgreSQL connects, so they survive a Redis flush.
public struct ProfileLanguagePreferences: LanguagePreferences {
    private let profiles: any ConversationStore
    private let writeThrough: SessionActivityWriter?

    /// Creates the preferences.
    /// - Parameters:
    ///   - profiles: Where profiles and chosen languages live.
    ///   - writeThrough: Writes choices to PostgreSQL behind; nil without a database.
    public init(profiles: any ConversationStore, writeThrough: SessionActivityWriter?) {
        self.profiles = profiles
        self.writeThrough = writeThrough
    }

    public func language(bot: BotID, userID: Int64) async -> String? {
        // A profile, even one without a language, answers: the chosen
        // language is read once per session TTL, not once per update.
        if let profile = try? await self.profiles.profile(bot: bot.name, user: userID) {
            return profile.languageCode
        }
        return await self.languageWithoutProfile(bot: bot, userID: userID)
    }

    /// Answers from the profile read with the conversation's state when it
    /// is this user's: no request of its own.
    public func language(bot: BotID, userID: Int64, preloaded: [PreloadedValue]) async -> String? {
        guard let key = self.profiles.preloadKey(bot: bot.name, user: userID), let preloaded = preloaded.value(forKey: key) else {
            return await self.language(bot: bot, userID: userID)
        }
        guard let bytes = preloaded.value else {
            return await self.languageWithoutProfile(bot: bot, userID: userID)
        }
        guard let profile = try? self.profiles.decodeProfile(bytes) else {
            return await self.language(bot: bot, userID: userID)
        }
        return profile.languageCode
    }

    /// Reads the chosen language and keeps the answer (a language or none)
    /// as the profile. A failed read is no answer: nothing is kept, so the
    /// next update asks again instead of using the default language for a day.
    private func languageWithoutProfile(bot: BotID, userID: Int64) async -> String? {
        let chosen: String?
        do {
            chosen = try await self.profiles.chosenLanguage(bot: bot.name, user: userID)
        } catch {
            return nil
        }
        let now = Date()
        try? await self.profiles.saveProfile(UserProfile(bot: bot.name, user: userID, languageCode: chosen, firstSeen: now, lastSeen: now))
        return chosen
    }

    public func setLanguage(_ language: String, bot: BotID, userID: Int64, chatID: Int64) async throws {
        let now = Date()
        try await self.profiles.saveChosenLanguage(language, bot: bot.name, user: userID, ifAbsent: false)
        var profile = (try? await self.profiles.profile(bot: bot.name, user: userID)) ?? UserProfile(bot: bot.name, user: userID, firstSeen: now, lastSeen: now)
        profile.languageCode = language
        profile.lastSeen = now
        try await self.profiles.saveProfile(profile)
        self.writeThrough?.touch(SessionTouch(bot: bot.name, telegramUserID: userID, chatID: chatID, language: language, at: now))
    }
}
