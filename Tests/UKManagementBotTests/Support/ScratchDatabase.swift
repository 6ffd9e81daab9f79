import Foundation
import GatewayTestSupport
import Logging
import Persistence
import PostgresNIO

/// An empty PostgreSQL database of one test, created next to the one
/// `DATABASE_URL` names and dropped afterwards; the gateway under test
/// migrates it when it starts.
struct ScratchDatabase: Sendable {
    static let logger: Logger = {
        var logger = Logger(label: "uk-e2e-database")
        logger.logLevel = .error
        return logger
    }()

    /// The database's configuration, for checks from the test.
    let configuration: DatabaseConfiguration
    /// `DATABASE_URL` for the gateway.
    let url: String
    private let server: DatabaseConfiguration

    static func create() async throws -> ScratchDatabase {
        guard let serverURL = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
            throw HarnessError("DATABASE_URL is not set: run ./scripts/test.sh, or export DATABASE_URL=postgres://user@127.0.0.1:5432/db")
        }
        let server = try DatabaseConfiguration(url: serverURL, poolSize: 2)
        let name = "test_e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try await Database.withRunning(configuration: server, logger: Self.logger) { admin in
            try await admin.client.query("CREATE DATABASE \(unescaped: name)")
        }
        var configuration = server
        configuration.database = name
        guard var components = URLComponents(string: serverURL) else {
            throw HarnessError("DATABASE_URL is not a URL")
        }
        components.path = "/" + name
        guard let url = components.string else { throw HarnessError("cannot name the database \(name) in DATABASE_URL") }
        return ScratchDatabase(configuration: configuration, url: url, server: server)
    }

    /// Runs `body` with a connection pool to this database.
    func withDatabase<Result: Sendable>(_ body: (Database) async throws -> Result) async throws -> Result {
        try await Database.withRunning(configuration: self.configuration, logger: Self.logger, body)
    }

    /// Drops the database, closing whatever still holds it.
    func drop() async throws {
        try await Database.withRunning(configuration: self.server, logger: Self.logger) { admin in
            try await admin.client.query("DROP DATABASE IF EXISTS \(unescaped: self.configuration.database) WITH (FORCE)")
        }
    }
}
