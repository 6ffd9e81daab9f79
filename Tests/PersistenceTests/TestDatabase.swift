import Foundation
import GatewayTestSupport
import Logging
import Persistence
import PostgresNIO

/// Databases of their own for tests: each test creates one next to the
/// database `DATABASE_URL` names (the test user may create databases), so
/// tests run in parallel without sharing tables or advisory locks, and drops
/// it afterwards.
enum TestDatabase {
    static let logger: Logger = {
        var logger = Logger(label: "persistence-tests")
        logger.logLevel = .error
        return logger
    }()

    /// The repository's `Migrations/` folder.
    static let migrationsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Migrations").path

    static func serverConfiguration() throws -> DatabaseConfiguration {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            throw TestSupportError("DATABASE_URL is not set: run ./scripts/test.sh, or export DATABASE_URL=postgres://user@127.0.0.1:5432/db")
        }
        var configuration = try DatabaseConfiguration(url: url)
        configuration.poolSize = 4
        return configuration
    }

    /// Creates an empty database, gives `body` its configuration, then drops it.
    static func withEmpty<Result: Sendable>(_ body: (DatabaseConfiguration) async throws -> Result) async throws -> Result {
        let server = try serverConfiguration()
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await Database.withRunning(configuration: server, logger: logger) { admin in
            try await admin.client.query("CREATE DATABASE \(unescaped: name)")
        }
        var configuration = server
        configuration.database = name
        let result: Result
        do {
            result = try await body(configuration)
        } catch {
            try? await drop(name, server: server)
            throw error
        }
        try await drop(name, server: server)
        return result
    }

    /// A fresh database with every migration applied, running for `body`.
    static func withMigrated<Result: Sendable>(_ body: (Database) async throws -> Result) async throws -> Result {
        try await withEmpty { configuration in
            try await Database.withRunning(configuration: configuration, logger: logger) { database in
                let files = try MigrationFile.load(directory: migrationsDirectory)
                try await Migrator(database: database, files: files, logger: logger).up()
                return try await body(database)
            }
        }
    }

    private static func drop(_ name: String, server: DatabaseConfiguration) async throws {
        try await Database.withRunning(configuration: server, logger: logger) { admin in
            try await admin.client.query("DROP DATABASE IF EXISTS \(unescaped: name) WITH (FORCE)")
        }
    }
}

/// Waits until `condition` holds, checking every 20 ms, for at most `timeout`.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

extension Database {
    /// The single value of a one-row, one-column query.
    func scalar<Value: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: Value.Type = Value.self) async throws -> Value? {
        let rows = try await self.client.query(query, logger: TestDatabase.logger)
        for try await value in rows.decode(Value.self) {
            return value
        }
        return nil
    }
}
