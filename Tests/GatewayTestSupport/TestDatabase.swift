import Foundation
public import Logging
public import Persistence
import PostgresNIO

/// Databases of their own for tests: each test creates one next to the
/// database `DATABASE_URL` names (the test user may create databases), so
/// tests run in parallel without sharing tables or advisory locks, and drops
/// it afterwards.
public enum TestDatabase {
    public static let logger: Logger = {
        var logger = Logger(label: "persistence-tests")
        logger.logLevel = .error
        return logger
    }()

    /// The repository's `Migrations/` folder.
    public static let migrationsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Migrations").path

    public static func serverConfiguration() throws -> DatabaseConfiguration {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            throw TestSupportError("DATABASE_URL is not set: run ./scripts/test.sh, or export DATABASE_URL=postgres://user@127.0.0.1:5432/db")
        }
        var configuration = try DatabaseConfiguration(url: url)
        configuration.poolSize = 4
        return configuration
    }

    /// `postgres://…` for `configuration`, as `DATABASE_URL` takes it (for child processes).
    public static func url(_ configuration: DatabaseConfiguration) -> String {
        let password = configuration.password.flatMap { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) }.map { ":\($0)" } ?? ""
        return "postgres://\(configuration.username)\(password)@\(configuration.host):\(configuration.port)/\(configuration.database)?sslmode=\(configuration.tls.rawValue)"
    }

    /// Creates an empty database next to the one `DATABASE_URL` names; drop it with ``drop(_:)``.
    public static func create(prefix: String = "test_") async throws -> DatabaseConfiguration {
        let server = try serverConfiguration()
        let name = prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await Database.withRunning(configuration: server, logger: logger) { admin in
            try await admin.client.query("CREATE DATABASE \(unescaped: name)")
        }
        var configuration = server
        configuration.database = name
        return configuration
    }

    /// Drops a database ``create(prefix:)`` made, closing whatever still holds it.
    public static func drop(_ configuration: DatabaseConfiguration) async throws {
        let server = try serverConfiguration()
        try await Database.withRunning(configuration: server, logger: logger) { admin in
            try await admin.client.query("DROP DATABASE IF EXISTS \(unescaped: configuration.database) WITH (FORCE)")
        }
    }

    /// Creates an empty database, gives `body` its configuration, then drops it.
    public static func withEmpty<Result: Sendable>(_ body: (DatabaseConfiguration) async throws -> Result) async throws -> Result {
        let configuration = try await create()
        let result: Result
        do {
            result = try await body(configuration)
        } catch {
            try? await drop(configuration)
            throw error
        }
        try await drop(configuration)
        return result
    }

    /// A fresh database with every migration applied, running for `body`.
    public static func withMigrated<Result: Sendable>(_ body: (Database) async throws -> Result) async throws -> Result {
        try await withEmpty { configuration in
            try await Database.withRunning(configuration: configuration, logger: logger) { database in
                let files = try MigrationFile.load(directory: migrationsDirectory)
                try await Migrator(database: database, files: files, logger: logger).up()
                return try await body(database)
            }
        }
    }
}
