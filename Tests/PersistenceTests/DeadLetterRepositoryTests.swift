import Foundation
import GatewayTestSupport
import Persistence
import Testing

@Suite("Dead letter history against PostgreSQL")
struct DeadLetterRepositoryTests {
    static func row(_ id: String, error: String, at seconds: TimeInterval) -> DeadLetterRepository.Row {
        DeadLetterRepository.Row(
            bot: "shop", id: id, conversation: "42", updateID: 7, payload: #"{"update_id":7}"#, reason: "step_failed",
            error: error, attempts: 5, createdAt: Date(timeIntervalSince1970: seconds))
    }

    @Test("a letter is one row; given up on again, its row is updated; newest first")
    func oneRowPerLetter() async throws {
        try await TestDatabase.withMigrated { database in
            let history = DeadLetterRepository(database: database, logger: TestDatabase.logger)
            try await history.record(Self.row("u7", error: "first", at: 1_790_000_000))
            try await history.record(Self.row("r1", error: "refused", at: 1_790_000_100))
            try await history.record(Self.row("u7", error: "again", at: 1_790_000_200))
            let rows = try await history.recent(bot: "shop")
            #expect(rows.map(\.id) == ["u7", "r1"])
            #expect(rows.first == Self.row("u7", error: "again", at: 1_790_000_200))
            #expect(try await history.recent(bot: "other").isEmpty)
        }
    }
}
