import GatewayTestSupport
import Persistence
import Testing

@Suite("Database service")
struct DatabaseTests {
    @Test func pingReachesTheServer() async throws {
        try await Database.withRunning(configuration: try TestDatabase.serverConfiguration(), logger: TestDatabase.logger) { database in
            try await database.ping()
        }
    }

    @Test func pingFailsWhenNothingListens() async throws {
        // Port 1: nothing listens there, and no parallel test can take it.
        let configuration = DatabaseConfiguration(host: "127.0.0.1", port: 1, username: "gateway", database: "none", tls: .disable)
        let error = await #expect(throws: PersistenceError.self) {
            try await Database.withRunning(configuration: configuration, logger: TestDatabase.logger) { database in
                try await database.ping(timeout: .milliseconds(500))
            }
        }
        #expect(error?.code == .databaseUnavailable)
        #expect(error?.message.contains("127.0.0.1:1/none") == true)
    }
}
