import Foundation
import Logging
import PostgresNIO

/// The operator API's schedule definitions (`api_schedules`), kept beside
/// Redis's due-time index so a schedule survives Redis losing its data.
public struct ScheduleRepository: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    /// Creates the repository.
    public init(database: Database, logger: Logger) {
        self.client = database.client
        self.logger = logger
    }

    /// One schedule not deleted nor finished.
    public struct Row: Sendable, Hashable {
        public var bot: String
        public var number: Int
        /// The definition's JSON.
        public var definition: String
    }

    /// Records schedule `number` of `bot`.
    public func insert(bot: String, number: Int, definition: String) async throws {
        try await self.client.query(
            """
            INSERT INTO api_schedules (bot, number, definition) VALUES (\(bot), \(Int64(number)), \(definition)::jsonb)
            ON CONFLICT (bot, number) DO NOTHING
            """,
            logger: self.logger)
    }

    /// Marks schedule `number` deleted.
    public func markDeleted(bot: String, number: Int) async throws {
        try await self.client.query(
            "UPDATE api_schedules SET deleted_at = now() WHERE bot = \(bot) AND number = \(Int64(number)) AND deleted_at IS NULL",
            logger: self.logger)
    }

    /// Marks schedule `number` finished: no occurrence is left.
    public func markFinished(bot: String, number: Int) async throws {
        try await self.client.query(
            "UPDATE api_schedules SET finished_at = now() WHERE bot = \(bot) AND number = \(Int64(number)) AND finished_at IS NULL",
            logger: self.logger)
    }

    /// The schedules of `bot` neither deleted nor finished.
    public func active(bot: String) async throws -> [Row] {
        let rows = try await self.client.query(
            "SELECT number, definition::text FROM api_schedules WHERE bot = \(bot) AND deleted_at IS NULL AND finished_at IS NULL ORDER BY number",
            logger: self.logger)
        var result: [Row] = []
        for try await (number, definition) in rows.decode((Int64, String).self) {
            result.append(Row(bot: bot, number: Int(number), definition: definition))
        }
        return result
    }
}
