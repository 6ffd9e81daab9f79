import Foundation
import Logging
import PostgresNIO

/// Reads and writes command routing (`bot_commands`).
public struct CommandRepository: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(database: Database, logger: Logger) {
        self.client = database.client
        self.logger = logger
    }

    /// Every command of `bot`, enabled or not, in sort order: a disabled
    /// command is still routed (to its "not available" notice) and its roles
    /// still checked.
    ///
    /// - Throws: ``PersistenceError/Code/invalidStoredValue`` naming the
    ///   command whose descriptions or target cannot be read.
    public func commands(bot: String) async throws -> [CommandRoute] {
        let rows = try await self.client.query(
            """
            SELECT command, target, required_roles, descriptions::text, enabled, sort_order, updated_at
            FROM bot_commands WHERE bot = \(bot)
            ORDER BY sort_order, command
            """,
            logger: self.logger
        )
        var routes: [CommandRoute] = []
        for try await (command, targetText, roles, descriptionsJSON, enabled, sortOrder, updatedAt)
            in rows.decode((String, String, [String], String, Bool, Int32, Date).self)
        {
            guard let target = CommandRoute.Target(targetText) else {
                throw PersistenceError(code: .invalidStoredValue, message: "bot_commands \(bot)/\(command): target \"\(targetText)\" is not flow:<name>, service:<name> or builtin:<name>")
            }
            guard let descriptions = try? JSONDecoder().decode([String: String].self, from: Data(descriptionsJSON.utf8)) else {
                throw PersistenceError(code: .invalidStoredValue, message: "bot_commands \(bot)/\(command): descriptions must be an object of language code to text")
            }
            routes.append(CommandRoute(
                bot: bot,
                command: command,
                target: target,
                requiredRoles: roles,
                descriptions: descriptions,
                isEnabled: enabled,
                sortOrder: Int(sortOrder),
                updatedAt: updatedAt
            ))
        }
        return routes
    }

    /// A digest of every command row of `bot`, enabled or not. It changes
    /// with any insert, update or delete, whatever order concurrent
    /// transactions commit in (a `max(updated_at)` would miss an edit that
    /// commits after a later one). One indexed scan of a few dozen rows:
    /// cheap enough to poll every few seconds.
    public func fingerprint(bot: String) async throws -> String {
        let rows = try await self.client.query(
            """
            SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY c.command), ''))
            FROM bot_commands c WHERE c.bot = \(bot)
            """,
            logger: self.logger
        )
        for try await digest in rows.decode(String.self) {
            return digest
        }
        return ""
    }

    /// Turns a command on or off (the `/settings` toggle); false when the bot has no such command.
    @discardableResult
    public func setEnabled(_ enabled: Bool, bot: String, command: String) async throws -> Bool {
        let rows = try await self.client.query(
            "UPDATE bot_commands SET enabled = \(enabled) WHERE bot = \(bot) AND command = \(command) RETURNING command",
            logger: self.logger
        )
        for try await _ in rows.decode(String.self) {
            return true
        }
        return false
    }
}
