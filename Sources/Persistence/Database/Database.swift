import Logging
import PostgresNIO
import ServiceLifecycle

/// The gateway's PostgreSQL database: a pool of connections that the
/// repositories and the migrator share.
///
/// A `Service`: queries only work while ``run()`` is running. In a
/// `ServiceGroup`, list it before the services that write through it
/// (``SessionActivityWriter``, ``MetricsRecorder``): the group stops services
/// in reverse order, so their final flushes still find the pool open.
public final class Database: Service, Sendable {
    /// The PostgresNIO client; repositories run their queries on it.
    public let client: PostgresClient
    public let configuration: DatabaseConfiguration

    /// Creates the pool; nothing connects until ``run()`` runs and a query asks.
    public init(configuration: DatabaseConfiguration, logger: Logger) {
        self.configuration = configuration
        self.client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: logger)
    }

    /// Runs the pool until the task is cancelled (or the group shuts down).
    public func run() async throws {
        await self.client.run()
    }

    /// Round-trips `SELECT 1`: throws when the database cannot be reached.
    /// The readiness check of `/ready` calls it. While the server is down
    /// the pool keeps trying to connect (for up to a minute) before failing
    /// the query; cancel the task, or use ``ping(timeout:)``, to stop sooner.
    public func ping() async throws {
        try await self.client.query("SELECT 1")
    }

    /// ``ping()`` within `timeout`.
    ///
    /// - Throws: ``PersistenceError/Code/databaseUnavailable`` naming the
    ///   server and database (never the password).
    public func ping(timeout: Duration) async throws {
        let target = "\(self.configuration.host):\(self.configuration.port)/\(self.configuration.database)"
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await self.ping()
                return true
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return false
            }
            defer { group.cancelAll() }
            let answered: Bool?
            do {
                answered = try await group.next()
            } catch {
                throw PersistenceError(code: .databaseUnavailable, message: "\(target): \(PostgresErrorMessage.text(for: error))")
            }
            guard answered == true else {
                throw PersistenceError(
                    code: .databaseUnavailable,
                    message: "\(target) did not answer within \(timeout); check DATABASE_URL and that PostgreSQL is running"
                )
            }
        }
    }

    /// Runs the pool for the duration of `body`: for commands and tests that
    /// use the database once, outside a `ServiceGroup`.
    @discardableResult
    public static func withRunning<Result: Sendable>(
        configuration: DatabaseConfiguration,
        logger: Logger,
        _ body: (Database) async throws -> Result
    ) async throws -> Result {
        let database = Database(configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.client.run() }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }
}
