import Foundation
import GatewayTestSupport
import Persistence
import Testing

@Suite("Metrics against PostgreSQL")
struct MetricsRepositoryTests {
    let logger = TestDatabase.logger

    /// 2026-01-01 at `hour`:`minute` UTC.
    func at(_ hour: Int, _ minute: Int, day: Int = 1) -> Date {
        let components = DateComponents(year: 2026, month: 1, day: day, hour: hour, minute: minute)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: components)!
    }

    @Test func batchedEventsRollUpByHourAndDay() async throws {
        try await TestDatabase.withMigrated { database in
            let repository = MetricsRepository(database: database, logger: self.logger)
            let recorder = MetricsRecorder(repository: repository, configuration: .init(flushInterval: .seconds(3600)), logger: self.logger)
            recorder.record(MetricEvent(bot: "uk", kind: .command, name: "start", durationMS: 100, occurredAt: self.at(10, 15)))
            recorder.record(MetricEvent(bot: "uk", kind: .command, name: "start", durationMS: 300, occurredAt: self.at(10, 45)))
            recorder.record(MetricEvent(bot: "uk", kind: .command, name: "help", occurredAt: self.at(10, 50)))
            recorder.record(MetricEvent(bot: "uk", kind: .command, name: "start", durationMS: 200, occurredAt: self.at(11, 5)))
            recorder.record(MetricEvent(bot: "uk", kind: .error, name: "downstream_timeout", occurredAt: self.at(11, 6)))
            recorder.record(MetricEvent(bot: "other", kind: .command, name: "start", durationMS: 5, occurredAt: self.at(10, 20)))
            #expect(recorder.pendingCount == 6)
            try await recorder.flush()
            #expect(recorder.pendingCount == 0)
            #expect(try await database.scalar("SELECT count(*) FROM bot_metrics", as: Int.self) == 6)

            let hourly = try await repository.rollups(bot: "uk", kind: .command, granularity: .hour, from: self.at(0, 0), to: self.at(0, 0, day: 2))
            #expect(hourly == [
                MetricRollup(bucket: self.at(10, 0), kind: .command, name: "help", count: 1, averageDurationMS: nil),
                MetricRollup(bucket: self.at(10, 0), kind: .command, name: "start", count: 2, averageDurationMS: 200),
                MetricRollup(bucket: self.at(11, 0), kind: .command, name: "start", count: 1, averageDurationMS: 200),
            ])
            let daily = try await repository.rollups(bot: "uk", kind: .command, granularity: .day, from: self.at(0, 0), to: self.at(0, 0, day: 2))
            #expect(daily == [
                MetricRollup(bucket: self.at(0, 0), kind: .command, name: "help", count: 1, averageDurationMS: nil),
                MetricRollup(bucket: self.at(0, 0), kind: .command, name: "start", count: 3, averageDurationMS: 200),
            ])
            let errors = try await repository.rollups(bot: "uk", kind: .error, granularity: .day, from: self.at(0, 0), to: self.at(0, 0, day: 2))
            #expect(errors.map(\.count) == [1])

            // A second batch into the same hour adds up rather than replacing.
            try await repository.insert([MetricEvent(bot: "uk", kind: .command, name: "start", durationMS: 600, occurredAt: self.at(10, 59))])
            let again = try await repository.rollups(bot: "uk", kind: .command, granularity: .hour, from: self.at(10, 0), to: self.at(11, 0))
            #expect(again.first { $0.name == "start" }?.count == 3)
            #expect(again.first { $0.name == "start" }?.averageDurationMS == (100.0 + 300.0 + 600.0) / 3)

            // Raw events can be pruned; the rollups keep the history.
            #expect(try await repository.deleteEvents(before: self.at(0, 0, day: 2)) == 7)
            let kept = try await repository.rollups(bot: "uk", kind: .command, granularity: .day, from: self.at(0, 0), to: self.at(0, 0, day: 2))
            #expect(kept.map(\.count) == [1, 4])
        }
    }

    @Test func aFullBufferFlushesWithoutWaitingForTheInterval() async throws {
        try await TestDatabase.withMigrated { database in
            let recorder = MetricsRecorder(
                repository: MetricsRepository(database: database, logger: self.logger),
                configuration: .init(flushInterval: .seconds(3600), maxBatch: 20),
                logger: self.logger
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await recorder.run() }
                for index in 0..<20 {
                    recorder.record(MetricEvent(bot: "uk", kind: .response, name: "sendMessage", durationMS: Double(index)))
                }
                let landed = try await eventually {
                    try await database.scalar("SELECT count(*) FROM bot_metrics", as: Int.self) == 20
                }
                #expect(landed)
                group.cancelAll()
            }
        }
    }
}
