public import Conversations
import Foundation
public import Persistence

/// ``LanguagePreferences`` on the user's profile in the conversation store
/// (Redis, with the session TTL), backed by `bot_sessions` in PostgreSQL so
/// a choice survives the TTL and a Redis flush. Without a profile,
/// PostgreSQL is asked and the answer (a language or none) is kept as the
/// profile, so it is asked once per session TTL.
public struct ProfileLanguagePreferences: LanguagePreferences {
    private let profiles: any ConversationStore
    private let sessions: SessionRepository?

    /// Creates the preferences; without `sessions` (no database) the profile alone keeps them.
    public init(profiles: any ConversationStore, sessions: SessionRepository?) {
        self.profiles = profiles
        self.sessions = sessions
    }

    public func language(bot: BotID, userID: Int64) async -> String? {
        // A profile, even one without a language, answers: PostgreSQL is asked
        // once per session TTL, not once per update.
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

    /// Asks PostgreSQL, and keeps the answer (a language or none) as the
    /// profile. A failed lookup is no answer: nothing is kept, so the next
    /// update asks again instead of using the default language for a day.
    private func languageWithoutProfile(bot: BotID, userID: Int64) async -> String? {
        let stored: String?
        do {
            stored = try await self.sessions?.language(bot: bot.name, telegramUserID: userID)
        } catch {
            return nil
        }
        let now = Date()
        try? await self.profiles.saveProfile(UserProfile(bot: bot.name, user: userID, languageCode: stored, firstSeen: now, lastSeen: now))
        return stored
    }

    public func setLanguage(_ language: String, bot: BotID, userID: Int64, chatID: Int64) async throws {
        let now = Date()
        if let sessions {
            var session = try await sessions.profile(bot: bot.name, telegramUserID: userID)
                ?? SessionProfile(bot: bot.name, telegramUserID: userID, lastActivity: now)
            session.language = language
            session.chatID = session.chatID ?? chatID
            session.lastActivity = now
            try await sessions.upsert(session)
        }
        var profile = (try? await self.profiles.profile(bot: bot.name, user: userID)) ?? UserProfile(bot: bot.name, user: userID, firstSeen: now, lastSeen: now)
        profile.languageCode = language
        profile.lastSeen = now
        try await self.profiles.saveProfile(profile)
    }
}
