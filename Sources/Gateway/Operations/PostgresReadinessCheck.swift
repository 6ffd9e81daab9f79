public import Persistence

/// `GET /ready`'s view of PostgreSQL: a `SELECT 1` answered within `timeout`.
/// Optional: without PostgreSQL the gateway still takes and handles updates
/// (activity and metrics wait in their buffers), so it is reported, not required.
public struct PostgresReadinessCheck: ReadinessCheck {
    public let name = "postgresql"
    public let isRequired = false
    private let database: Database
    private let timeout: Duration

    /// Creates the check on `database`.
    public init(database: Database, timeout: Duration = .seconds(1)) {
        self.database = database
        self.timeout = timeout
    }

    public func check() async -> ReadinessState {
        do {
            try await self.database.ping(timeout: self.timeout)
            return .up
        } catch {
            return .down(PostgresErrorMessage.kind(of: error))
        }
    }
}
