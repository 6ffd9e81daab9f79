import Foundation
import Logging
import PostgresNIO

/// The history of dead letters (`dead_letters`): one row per letter, written
/// when the gateway gives up on an update or a reply; the same letter given
/// up on again updates its row.
public struct DeadLetterRepository: Sendable {
    /// One row.
    public struct Row: Sendable, Hashable {
        public var bot: String
        public var id: String
        public var conversation: String
        public var updateID: Int
        public var payload: String
        public var reason: String
        public var error: String
        public var attempts: Int
        public var createdAt: Date

        /// Creates a row.
        public init(bot: String, id: String, conversation: String, updateID: Int, payload: String, reason: String, error: String, attempts: Int, createdAt: Date) {
            self.bot = bot
            self.id = id
            self.conversation = conversation
            self.updateID = updateID
            self.payload = payload
            self.reason = reason
            self.error = error
            self.attempts = attempts
            self.createdAt = createdAt
        }
    }

    private let client: PostgresClient
    private let logger: Logger

    public init(database: Database, logger: Logger) {
        self.client = database.client
        self.logger = logger
    }

    /// Writes `row`, replacing an earlier row of the same letter.
    public func record(_ row: Row) async throws {
        try await self.client.query(
            """
            INSERT INTO dead_letters (bot, id, conversation, update_id, payload, reason, error, attempts, created_at)
            VALUES (\(row.bot), \(row.id), \(row.conversation), \(Int64(row.updateID)), \(row.payload), \(row.reason), \(row.error),
                    \(Int32(clamping: row.attempts)), \(row.createdAt))
            ON CONFLICT (bot, id) DO UPDATE SET
                payload = EXCLUDED.payload, reason = EXCLUDED.reason, error = EXCLUDED.error,
                attempts = EXCLUDED.attempts, created_at = EXCLUDED.created_at
            """,
            logger: self.logger
        )
    }

    /// `bot`'s rows, newest first, at most `limit`.
    public func recent(bot: String, limit: Int = 100) async throws -> [Row] {
        let rows = try await self.client.query(
            """
            SELECT id, conversation, update_id, payload, reason, error, attempts, created_at
            FROM dead_letters WHERE bot = \(bot) ORDER BY created_at DESC LIMIT \(Int64(max(limit, 0)))
            """,
            logger: self.logger
        )
        var result: [Row] = []
        for try await (id, conversation, updateID, payload, reason, error, attempts, createdAt)
            in rows.decode((String, String, Int64, String, String, String, Int32, Date).self)
        {
            result.append(Row(
                bot: bot, id: id, conversation: conversation, updateID: Int(updateID), payload: payload, reason: reason,
                error: error, attempts: Int(attempts), createdAt: createdAt))
        }
        return result
    }
}
