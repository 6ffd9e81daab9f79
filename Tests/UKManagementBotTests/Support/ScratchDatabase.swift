import Foundation
import GatewayTestSupport
import Logging
import Persistence

/// An empty PostgreSQL database of one test (``TestDatabase/create(prefix:)``), created next to
/// the one `DATABASE_URL` names and dropped afterwards; the gateway under test migrates it when
/// it starts.
struct ScratchDatabase: Sendable {
    static let logger = TestDatabase.logger

    /// The database's configuration, for checks from the test.
    let configuration: DatabaseConfiguration
    /// `DATABASE_URL` for the gateway.
    let url: String

    static func create() async throws -> ScratchDatabase {
        let configuration = try await TestDatabase.create(prefix: "test_e2e_")
        return ScratchDatabase(configuration: configuration, url: TestDatabase.url(configuration))
    }

    /// Runs `body` with a connection pool to this database.
    func withDatabase<Result: Sendable>(_ body: (Database) async throws -> Result) async throws -> Result {
        try await Database.withRunning(configuration: self.configuration, logger: Self.logger, body)
    }

    /// Drops the database, closing whatever still holds it.
    func drop() async throws {
        try await TestDatabase.drop(self.configuration)
    }
}
