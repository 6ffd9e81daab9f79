import Foundation
import Logging
import PostgresNIO

/// Users of the bots (`bot_sessions`): their profiles, and their activity
/// written in batches.
public struct SessionRepository: SessionActivityStore {
    private let client: PostgresClient
    private let logger: Logger

    public init(database: Database, logger: Logger) {
        self.client = database.client
        self.logger = logger
    }

    /// Creates or updates a user's profile. A nil ``SessionProfile/language``
    /// keeps the stored choice (Telegram's updates do not carry it); the
    /// last activity only moves forward.
    public func upsert(_ profile: SessionProfile) async throws {
        try await self.client.query(
            """
            INSERT INTO bot_sessions
                (bot, telegram_user_id, chat_id, username, first_name, last_name, language, roles, state, last_activity_at)
            VALUES (
                \(profile.bot), \(profile.telegramUserID), \(profile.chatID), \(profile.username), \(profile.firstName),
                \(profile.lastName), \(profile.language), \(profile.roles)::text[], \(profile.state), \(profile.lastActivity)
            )
            ON CONFLICT (bot, telegram_user_id) DO UPDATE SET
                chat_id = COALESCE(EXCLUDED.chat_id, bot_sessions.chat_id),
                username = EXCLUDED.username,
                first_name = EXCLUDED.first_name,
                last_name = EXCLUDED.last_name,
                language = COALESCE(EXCLUDED.language, bot_sessions.language),
                roles = EXCLUDED.roles,
                state = EXCLUDED.state,
                last_activity_at = GREATEST(bot_sessions.last_activity_at, EXCLUDED.last_activity_at)
            """,
            logger: self.logger
        )
    }

    /// The stored profile, or nil for a user the bot has not seen.
    public func profile(bot: String, telegramUserID: Int64) async throws -> SessionProfile? {
        let rows = try await self.client.query(
            """
            SELECT chat_id, username, first_name, last_name, language, roles, state, last_activity_at
            FROM bot_sessions WHERE bot = \(bot) AND telegram_user_id = \(telegramUserID)
            """,
            logger: self.logger
        )
        for try await (chatID, username, firstName, lastName, language, roles, state, lastActivity)
            in rows.decode((Int64?, String?, String?, String?, String?, [String]?, String?, Date).self)
        {
            return SessionProfile(
                bot: bot,
                telegramUserID: telegramUserID,
                chatID: chatID,
                username: username,
                firstName: firstName,
                lastName: lastName,
                language: language,
                roles: roles ?? [],
                state: state,
                lastActivity: lastActivity
            )
        }
        return nil
    }

    /// The language the user chose, or nil (unknown user, or never chosen).
    public func language(bot: String, telegramUserID: Int64) async throws -> String? {
        let rows = try await self.client.query(
            "SELECT language FROM bot_sessions WHERE bot = \(bot) AND telegram_user_id = \(telegramUserID)",
            logger: self.logger
        )
        for try await language in rows.decode(String?.self) {
            return language
        }
        return nil
    }

    /// The language the bot answers the user in: the one they chose, else
    /// the one it last answered them in; nil for a user it never answered.
    public func answeringLanguage(bot: String, telegramUserID: Int64) async throws -> String? {
        let rows = try await self.client.query(
            "SELECT COALESCE(language, locale) FROM bot_sessions WHERE bot = \(bot) AND telegram_user_id = \(telegramUserID)",
            logger: self.logger
        )
        for try await language in rows.decode(String?.self) {
            return language
        }
        return nil
    }

    /// Where a page of ``chosenLanguages(after:limit:)`` ended.
    public struct LanguageCursor: Sendable, Hashable {
        public var bot: String
        public var user: Int64

        public init(bot: String, user: Int64) {
            self.bot = bot
            self.user = user
        }
    }

    /// One user's chosen language.
    public struct LanguageChoice: Sendable, Hashable {
        public var bot: String
        public var user: Int64
        public var language: String
    }

    /// Users' chosen languages, ordered by bot and user, after `cursor` (from
    /// the start when nil): one page of a scan that never holds the table.
    public func chosenLanguages(after cursor: LanguageCursor?, limit: Int) async throws -> [LanguageChoice] {
        let after = cursor ?? LanguageCursor(bot: "", user: .min)
        let rows = try await self.client.query(
            """
            SELECT bot, telegram_user_id, language FROM bot_sessions
            WHERE language IS NOT NULL AND (bot, telegram_user_id) > (\(after.bot), \(after.user))
            ORDER BY bot, telegram_user_id LIMIT \(limit)
            """,
            logger: self.logger
        )
        var choices: [LanguageChoice] = []
        for try await (bot, user, language) in rows.decode((String, Int64, String).self) {
            choices.append(LanguageChoice(bot: bot, user: user, language: language))
        }
        return choices
    }

    /// Writes last activity (and any language carried) of many users in one
    /// statement: the arrays travel as parameters and `unnest` turns them
    /// into rows, so the statement text is the same for every batch size.
    public func recordActivity(_ touches: [SessionTouch]) async throws {
        let touches = SessionTouch.coalesced(touches)
        guard !touches.isEmpty else { return }
        // An array parameter cannot hold NULL here, so "" stands for "no
        // language" and "-" for "roles not known"; roles travel comma-joined.
        try await self.client.query(
            """
            INSERT INTO bot_sessions (bot, telegram_user_id, chat_id, language, roles, locale, last_activity_at)
            SELECT t.bot, t.user_id, t.chat_id, NULLIF(t.language, ''),
                   CASE WHEN t.roles = '-' THEN NULL ELSE COALESCE(string_to_array(NULLIF(t.roles, ''), ','), '{}') END,
                   NULLIF(t.locale, ''), t.at
            FROM unnest(
                \(touches.map(\.bot))::text[], \(touches.map(\.telegramUserID))::bigint[], \(touches.map(\.chatID))::bigint[],
                \(touches.map { $0.language ?? "" })::text[], \(touches.map { $0.roles?.joined(separator: ",") ?? "-" })::text[],
                \(touches.map { $0.locale ?? "" })::text[], \(touches.map(\.at))::timestamptz[]
            ) AS t(bot, user_id, chat_id, language, roles, locale, at)
            ON CONFLICT (bot, telegram_user_id) DO UPDATE SET
                chat_id = EXCLUDED.chat_id,
                language = COALESCE(EXCLUDED.language, bot_sessions.language),
                roles = COALESCE(EXCLUDED.roles, bot_sessions.roles),
                locale = COALESCE(EXCLUDED.locale, bot_sessions.locale),
                last_activity_at = GREATEST(bot_sessions.last_activity_at, EXCLUDED.last_activity_at)
            """,
            logger: self.logger
        )
    }
}
