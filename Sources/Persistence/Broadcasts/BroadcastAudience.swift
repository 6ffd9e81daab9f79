import Foundation
import Logging
import PostgresNIO

/// Who a broadcast goes to: the users of a bot in `bot_sessions`, all of
/// them or one slice. A user who blocked the bot (`blocked_at`) is left out
/// until they write to it again.
public enum BroadcastAudience: Sendable, Hashable, Codable {
    /// Every user of the bot.
    case all
    /// Users last seen with this role (from the auth middleware's identity).
    case role(String)
    /// Users the bot answers in this language: their chosen one, else the one it last answered in.
    case language(String)
    /// Users active within this many days.
    case activeWithin(days: Int)

    /// The longest activity window offered.
    public static let maxDays = 3650

    /// The audience as text for logs and the record: `all`, `role:admin`, `language:ru`, `active:7`.
    public var code: String {
        switch self {
        case .all: "all"
        case .role(let role): "role:\(role)"
        case .language(let language): "language:\(language)"
        case .activeWithin(let days): "active:\(days)"
        }
    }

    /// Reads ``code``; nil for anything else.
    public init?(code: String) {
        let parts = code.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first, parts.count) {
        case ("all"?, 1): self = .all
        case ("role"?, 2) where !parts[1].isEmpty && parts[1].count <= 64: self = .role(parts[1])
        case ("language"?, 2) where !parts[1].isEmpty && parts[1].count <= 16: self = .language(parts[1])
        case ("active"?, 2):
            guard let days = Int(parts[1]), (1...Self.maxDays).contains(days) else { return nil }
            self = .activeWithin(days: days)
        default: return nil
        }
    }
}

/// Resolves broadcast audiences from `bot_sessions` and records who blocked the bot.
public struct BroadcastAudienceRepository: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(database: Database, logger: Logger) {
        self.client = database.client
        self.logger = logger
    }

    /// The Telegram ids of `audience`, in id order. A private chat's id is its user's, so these are also the chats to send to.
    public func recipients(bot: String, audience: BroadcastAudience) async throws -> [Int64] {
        let reachable = "(blocked_at IS NULL OR last_activity_at > blocked_at)"
        let query: PostgresQuery =
            switch audience {
            case .all:
                "SELECT telegram_user_id FROM bot_sessions WHERE bot = \(bot) AND \(unescaped: reachable) ORDER BY telegram_user_id"
            case .role(let role):
                """
                SELECT telegram_user_id FROM bot_sessions WHERE bot = \(bot) AND \(unescaped: reachable) AND \(role) = ANY(roles)
                ORDER BY telegram_user_id
                """
            case .language(let language):
                """
                SELECT telegram_user_id FROM bot_sessions WHERE bot = \(bot) AND \(unescaped: reachable) AND COALESCE(language, locale) = \(language)
                ORDER BY telegram_user_id
                """
            case .activeWithin(let days):
                """
                SELECT telegram_user_id FROM bot_sessions WHERE bot = \(bot) AND \(unescaped: reachable)
                    AND last_activity_at >= now() - make_interval(days => \(Int32(clamping: days)))
                ORDER BY telegram_user_id
                """
            }
        let rows = try await self.client.query(query, logger: self.logger)
        var users: [Int64] = []
        for try await user in rows.decode(Int64.self) where user > 0 {
            users.append(user)
        }
        return users
    }

    /// The roles users of `bot` were seen with, sorted.
    public func roles(bot: String) async throws -> [String] {
        let rows = try await self.client.query(
            "SELECT DISTINCT unnest(roles) AS role FROM bot_sessions WHERE bot = \(bot) ORDER BY role", logger: self.logger)
        var roles: [String] = []
        for try await role in rows.decode(String.self) {
            roles.append(role)
        }
        return roles
    }

    /// Marks `users` as having blocked `bot` at `at`: later broadcasts skip them until they write again.
    public func markBlocked(bot: String, users: [Int64], at: Date) async throws {
        guard !users.isEmpty else { return }
        try await self.client.query(
            "UPDATE bot_sessions SET blocked_at = \(at) WHERE bot = \(bot) AND telegram_user_id = ANY(\(users)::bigint[])",
            logger: self.logger)
    }
}
