public import Persistence

/// `GET /ready`'s view of PostgreSQL: not yet connected or migrated (the
/// connector's state), or a `SELECT 1` answered within `timeout`.
/// Optional: without PostgreSQL the gateway still takes and handles updates
/// (activity and metrics wait in their buffers, languages live in Redis), so
/// it is reported as degraded, never as not ready.
public struct PostgresReadinessCheck: ReadinessCheck {
    public let name = "postgresql"
    public let isRequired = false
    private let database: Database
    private let connector: DatabaseConnector?
    private let timeout: Duration

    /// Creates the check on `database`, reading `connector`'s state first when given.
    public init(database: Database, connector: DatabaseConnector? = nil, timeout: Duration = .seconds(1)) {
        self.database = database
        self.connector = connector
        self.timeout = timeout
    }

    public func check() async -> ReadinessState {
        switch self.connector?.current {
        case .connecting(let failure)?:
            return .down("not connected yet" + (failure.map { ": \($0)" } ?? ""))
        case .migrationFailed?:
            return .down("migration failed; see the log")
        case .connected?, nil:
            break
        }
        do {
            try await self.database.ping(timeout: self.timeout)
            return .up
        } catch {
            return .down(PostgresErrorMessage.kind(of: error))
        }
    }
}
