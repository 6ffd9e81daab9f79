public import Conversations
import Foundation
public import Persistence

/// ``LanguagePreferences`` on the user's profile in the conversation store
/// (Redis, with the session TTL), backed by `bot_sessions` in PostgreSQL so
/// a choice survives the TTL and a Redis flush. A choice found only in
/// PostgreSQL is copied back into the profile on first use.
public struct ProfileLanguagePreferences: LanguagePreferences {
    private let profiles: any ConversationStore
    private let sessions: SessionRepository?

    /// Creates the preferences; without `sessions` (no database) the profile alone keeps them.
    public init(profiles: any ConversationStore, sessions: SessionRepository?) {
        self.profiles = profiles
        self.sessions = sessions
    }

    public func language(bot: BotID, userID: Int64) async -> String? {
        let profile = try? await self.profiles.profile(bot: bot.name, user: userID)
        if let language = profile?.languageCode {
            return language
        }
        guard let sessions, let language = try? await sessions.language(bot: bot.name, telegramUserID: userID) else {
            return nil
        }
        let now = Date()
        var warmed = profile ?? UserProfile(bot: bot.name, user: userID, firstSeen: now, lastSeen: now)
        warmed.languageCode = language
        try? await self.profiles.saveProfile(warmed)
        return language
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
