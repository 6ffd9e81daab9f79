import Foundation
public import Logging
public import Persistence

/// Records who changed what (`admin_audit`): a row in PostgreSQL when
/// configured, and a log line always — the log line is the record where
/// there is no database, and the fallback when the insert fails.
public struct AdminAudit: Sendable {
    /// The admin who made a change.
    public struct Admin: Sendable, Hashable {
        /// Their Telegram user id.
        public var id: Int64
        /// Their name as Telegram gave it.
        public var name: String

        /// Creates an admin.
        public init(id: Int64, name: String) {
            self.id = id
            self.name = name
        }
    }

    private let repository: AdminAuditRepository?
    private let logger: Logger

    /// Creates the audit over `repository`, or over the log alone when nil.
    public init(repository: AdminAuditRepository?, logger: Logger) {
        self.repository = repository
        self.logger = logger
    }

    /// Records that `admin` changed `setting` of `bot` from `before` to `after` (nil: unset).
    public func record(bot: BotID, admin: Admin, setting: String, before: String?, after: String?) async {
        let metadata: Logger.Metadata = [
            "bot": "\(bot.name)", "admin_user_id": "\(admin.id)", "setting": "\(setting)",
            "before": "\(before ?? "unset")", "after": "\(after ?? "unset")",
        ]
        self.logger.notice("admin changed a setting", metadata: metadata)
        guard let repository else { return }
        do {
            try await repository.record(.init(
                bot: bot.name, adminUserID: admin.id, adminName: admin.name, setting: setting, before: before, after: after, occurredAt: Date()))
        } catch {
            var metadata = metadata
            metadata["error"] = "\(PostgresErrorMessage.kind(of: error))"
            self.logger.warning("admin_audit row not written; this log line is the record", metadata: metadata)
        }
    }
}
