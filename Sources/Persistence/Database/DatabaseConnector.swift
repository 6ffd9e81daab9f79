import Logging
import ServiceLifecycle
import Synchronization

/// Brings PostgreSQL into a running gateway whenever it becomes reachable:
/// pings it, applies the pending migrations, then runs the hooks registered
/// with ``whenConnected(_:)`` (catching up on what was kept elsewhere while it
/// was away). Until then the gateway serves without it.
///
/// `serve` calls ``connect(timeout:)`` once before building the gateway, so a
/// reachable database is migrated before the first update; as a `Service`,
/// ``run()`` keeps trying with backoff until it connects, then waits for
/// shutdown (a service that returned would stop its group).
public final class DatabaseConnector: Service, Sendable {
    /// Where the connection stands.
    public enum State: Sendable, Hashable {
        /// Not connected yet; the last attempt's failure kind, if any.
        case connecting(lastFailure: String?)
        /// Reachable, but a migration failed: the gateway keeps serving
        /// without the database and retries.
        case migrationFailed(String)
        /// Reachable and migrated.
        case connected
    }

    /// What one attempt found.
    public enum Attempt: Sendable, Hashable {
        case connected
        /// The server did not answer; the failure's kind.
        case unreachable(String)
        /// The server answered and a migration failed; its message.
        case migrationFailed(String)
    }

    private let database: Database
    private let migrations: [MigrationFile]
    private let backoff: (first: Duration, limit: Duration)
    private let logger: Logger
    private let state = Mutex(State.connecting(lastFailure: nil))
    private let hooks = Mutex<[@Sendable () async -> Void]>([])

    /// Creates the connector.
    /// - Parameters:
    ///   - database: The pool; it must be running.
    ///   - migrations: The migration files to apply at connect.
    ///   - firstRetry: The wait after the first failed attempt, doubled up to `retryLimit`.
    ///   - retryLimit: The longest wait between attempts.
    ///   - logger: Where connects, failures and migrations are logged.
    public init(
        database: Database,
        migrations: [MigrationFile],
        firstRetry: Duration = .seconds(1),
        retryLimit: Duration = .seconds(30),
        logger: Logger
    ) {
        self.database = database
        self.migrations = migrations
        self.backoff = (firstRetry, retryLimit)
        self.logger = logger
    }

    /// The connection's state now.
    public var current: State {
        self.state.withLock { $0 }
    }

    /// Whether the database is reachable and migrated.
    public var isConnected: Bool {
        self.current == .connected
    }

    /// Adds work to run once, right after the first successful connect
    /// (from ``run()``, also when ``connect(timeout:)`` connected before).
    public func whenConnected(_ hook: @escaping @Sendable () async -> Void) {
        self.hooks.withLock { $0.append(hook) }
    }

    /// One attempt: a ping within `timeout`, then the pending migrations.
    @discardableResult
    public func connect(timeout: Duration) async -> Attempt {
        do {
            try await self.database.ping(timeout: timeout)
        } catch {
            let kind = PostgresErrorMessage.kind(of: error)
            self.state.withLock { $0 = .connecting(lastFailure: kind) }
            return .unreachable(kind)
        }
        do {
            for name in try await Migrator(database: self.database, files: self.migrations, logger: self.logger).up() {
                self.logger.info("migration applied", metadata: ["name": "\(name)"])
            }
        } catch {
            let message = PostgresErrorMessage.text(for: error)
            self.state.withLock { $0 = .migrationFailed(message) }
            return .migrationFailed(message)
        }
        self.state.withLock { $0 = .connected }
        return .connected
    }

    /// Connects (retrying with backoff), runs the hooks, then waits for
    /// graceful shutdown, which also ends the retries and the hooks.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            try await self.connectWithRetries()
            for hook in self.hooks.withLock({ $0 }) {
                try Task.checkCancellation()
                await hook()
            }
        }
        try? await gracefulShutdown()
    }

    private func connectWithRetries() async throws {
        var wait = self.backoff.first
        var reported: Attempt?
        while !self.isConnected {
            let attempt = await self.connect(timeout: .seconds(5))
            if attempt == .connected { break }
            if attempt != reported {
                reported = attempt
                self.logger.warning(
                    "PostgreSQL not available; serving without it and retrying",
                    metadata: ["attempt": "\(attempt)", "retry_in": "\(wait)"]
                )
            }
            try await Task.sleep(for: wait)
            wait = min(wait * 2, self.backoff.limit)
        }
        if reported != nil {
            self.logger.info("PostgreSQL connected and migrated")
        }
    }
}
