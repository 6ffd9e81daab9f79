import Foundation
import GatewayTestSupport
import Persistence
import Testing

@Suite("Database janitor against PostgreSQL")
struct DatabaseJanitorTests {
    let logger = TestDatabase.logger

    @Test func aPurgeDeletesExpiredPayloadsAndOldEventsButKeepsRollups() async throws {
        try await TestDatabase.withMigrated { database in
            let callbacks = CallbackPayloadStore(database: database, logger: self.logger)
            let metrics = MetricsRepository(database: database, logger: self.logger)
            let janitor = DatabaseJanitor(
                callbacks: callbacks,
                metrics: metrics,
                configuration: .init(metricsRetention: .seconds(7 * 86400)),
                logger: self.logger
            )
            _ = try await callbacks.store("gone", bot: "uk", ttl: .milliseconds(1))
            let kept = try await callbacks.store("kept", bot: "uk", ttl: .seconds(3600))
            let now = Date()
            try await metrics.insert([
                MetricEvent(bot: "uk", kind: .command, name: "start", occurredAt: now.addingTimeInterval(-10 * 86400)),
                MetricEvent(bot: "uk", kind: .command, name: "start", occurredAt: now.addingTimeInterval(-60)),
            ])
            try await Task.sleep(for: .milliseconds(20))

            let purged = try await janitor.purge(now: now)
            #expect(purged.payloads == 1)
            #expect(purged.events == 1)
            #expect(try await callbacks.payload(token: kept, bot: "uk")?.payload == "kept")
            #expect(try await database.scalar("SELECT count(*) FROM bot_metrics", as: Int.self) == 1)
            let daily = try await metrics.rollups(
                bot: "uk", kind: .command, granularity: .day,
                from: now.addingTimeInterval(-30 * 86400), to: now.addingTimeInterval(86400)
            )
            #expect(daily.reduce(0) { $0 + $1.count } == 2, "rollups keep the purged event's count")

            let again = try await janitor.purge(now: now)
            #expect(again.payloads == 0 && again.events == 0)
        }
    }
}
