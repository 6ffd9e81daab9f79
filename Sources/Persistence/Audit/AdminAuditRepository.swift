import Foundation
import Logging
import PostgresNIO

/// The record of admins' changes (`admin_audit`): who changed which setting
/// of which bot, when, from what to what.
public struct AdminAuditRepository: Sendable {
    /// One change.
    public struct Entry: Sendable, Hashable {
        public var bot: String
        /// The admin's Telegram user id.
        public var adminUserID: Int64
        /// The admin's name as Telegram gave it, for people reading the table.
        public var adminName: String
        /// What was changed, such as `maintenance` or `command.users`.
        public var setting: String
        /// The value before; nil when it was not set.
        public var before: String?
        /// The value after; nil when it was cleared.
        public var after: String?
        public var occurredAt: Date

        /// Creates an entry.
        public init(bot: String, adminUserID: Int64, adminName: String, setting: String, before: String?, after: String?, occurredAt: Date) {
            self.bot = bot
            self.adminUserID = adminUserID
            self.adminName = adminName
            self.setting = setting
            self.before = before
            self.after = after
            self.occurredAt = occurredAt
        }
    }

    private let client: PostgresClient
    private let logger: Logger

    public init(database: Database, logger: Logger) {
        self.client = database.client
        self.logger = logger
    }

    /// Adds `entry`.
    public func record(_ entry: Entry) async throws {
        try await self.client.query(
            """
            INSERT INTO admin_audit (bot, admin_user_id, admin_name, setting, before, after, occurred_at)
            VALUES (\(entry.bot), \(entry.adminUserID), \(entry.adminName), \(entry.setting), \(entry.before), \(entry.after), \(entry.occurredAt))
            """,
            logger: self.logger
        )
    }

    /// `bot`'s entries, newest first, at most `limit`.
    public func recent(bot: String, limit: Int = 100) async throws -> [Entry] {
        let rows = try await self.client.query(
            """
            SELECT bot, admin_user_id, admin_name, setting, before, after, occurred_at
            FROM admin_audit WHERE bot = \(bot) ORDER BY occurred_at DESC, id DESC LIMIT \(Int64(max(0, limit)))
            """,
            logger: self.logger
        )
        var entries: [Entry] = []
        for try await (bot, user, name, setting, before, after, at) in rows.decode((String, Int64, String, String, String?, String?, Date).self) {
            entries.append(Entry(bot: bot, adminUserID: user, adminName: name, setting: setting, before: before, after: after, occurredAt: at))
        }
        return entries
    }
}
