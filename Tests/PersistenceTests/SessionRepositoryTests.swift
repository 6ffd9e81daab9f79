import Foundation
import GatewayTestSupport
import Persistence
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Testing

/// Counts the statements a writer sends: the real repository, wrapped.
final class CountingActivityStore: SessionActivityStore {
    let repository: SessionRepository
    let batches = Mutex<[[SessionTouch]]>([])

    init(_ repository: SessionRepository) {
        self.repository = repository
    }

    func recordActivity(_ touches: [SessionTouch]) async throws {
        self.batches.withLock { $0.append(touches) }
        try await self.repository.recordActivity(touches)
    }
}

@Suite("Sessions against PostgreSQL")
struct SessionRepositoryTests {
    let logger = TestDatabase.logger
    let base = Date(timeIntervalSince1970: 1_790_000_000)

    @Test func upsertAndReadBack() async throws {
        try await TestDatabase.withMigrated { database in
            let sessions = SessionRepository(database: database, logger: self.logger)
            #expect(try await sessions.profile(bot: "uk", telegramUserID: 42) == nil)
            #expect(try await sessions.language(bot: "uk", telegramUserID: 42) == nil)

            let profile = SessionProfile(
                bot: "uk", telegramUserID: 42, chatID: 42, username: "aziz", firstName: "Aziz", lastName: "Karimov",
                language: "uz", roles: ["executor"], state: "create_request.description", lastActivity: self.base
            )
            try await sessions.upsert(profile)
            #expect(try await sessions.profile(bot: "uk", telegramUserID: 42) == profile)
            #expect(try await sessions.language(bot: "uk", telegramUserID: 42) == "uz")

            // Telegram's next update knows no chosen language: the stored one stays; roles and state follow.
            var next = profile
            next.language = nil
            next.roles = ["executor", "manager"]
            next.state = nil
            next.lastActivity = self.base.addingTimeInterval(-60)
            try await sessions.upsert(next)
            let stored = try #require(try await sessions.profile(bot: "uk", telegramUserID: 42))
            #expect(stored.language == "uz")
            #expect(stored.roles == ["executor", "manager"])
            #expect(stored.state == nil)
            #expect(stored.lastActivity == self.base, "last activity never moves back")

            // Another bot's user with the same id is another row.
            #expect(try await sessions.profile(bot: "other", telegramUserID: 42) == nil)
        }
    }

    @Test func touchesAreWrittenBehindInOneStatement() async throws {
        try await TestDatabase.withMigrated { database in
            let sessions = SessionRepository(database: database, logger: self.logger)
            try await sessions.upsert(SessionProfile(bot: "uk", telegramUserID: 1, language: "ru", lastActivity: self.base))
            let store = CountingActivityStore(sessions)
            let writer = SessionActivityWriter(store: store, configuration: .init(flushInterval: .seconds(3600), maxBatch: 1000), logger: self.logger)

            // 10 users, 3 touches each; user 3's middle touch carries a newly chosen language.
            for round in 0..<3 {
                for user in Int64(1)...10 {
                    let language = (user == 3 && round == 1) ? "en" : nil
                    writer.touch(SessionTouch(bot: "uk", telegramUserID: user, chatID: user * 10, language: language, at: self.base.addingTimeInterval(Double(round * 60) + Double(user))))
                }
            }
            #expect(writer.pendingCount == 10)
            #expect(try await database.scalar("SELECT count(*) FROM bot_sessions", as: Int.self) == 1, "nothing written before the flush")

            try await writer.flush()
            #expect(store.batches.withLock { $0.map(\.count) } == [10], "one statement for all 30 touches")
            #expect(writer.pendingCount == 0)

            #expect(try await database.scalar("SELECT count(*) FROM bot_sessions WHERE bot = 'uk'", as: Int.self) == 10)
            let user7 = try #require(try await sessions.profile(bot: "uk", telegramUserID: 7))
            #expect(user7.lastActivity == self.base.addingTimeInterval(127))
            #expect(user7.chatID == 70)
            #expect(try await sessions.language(bot: "uk", telegramUserID: 3) == "en")
            #expect(try await sessions.language(bot: "uk", telegramUserID: 1) == "ru", "a touch without a language keeps the stored one")

            try await writer.flush()
            #expect(store.batches.withLock { $0.count } == 1, "an empty flush sends nothing")
        }
    }

    @Test func aFullBatchFlushesBeforeTheInterval() async throws {
        try await TestDatabase.withMigrated { database in
            let store = CountingActivityStore(SessionRepository(database: database, logger: self.logger))
            let writer = SessionActivityWriter(store: store, configuration: .init(flushInterval: .seconds(3600), maxBatch: 5), logger: self.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await writer.run() }
                for user in Int64(1)...5 {
                    writer.touch(SessionTouch(bot: "uk", telegramUserID: user, chatID: user))
                }
                let landed = try await eventually {
                    try await database.scalar("SELECT count(*) FROM bot_sessions", as: Int.self) == 5
                }
                #expect(landed)
                #expect(store.batches.withLock { $0.count } == 1)
                group.cancelAll()
            }
        }
    }

    @Test func gracefulShutdownFlushesWhatIsBuffered() async throws {
        try await TestDatabase.withMigrated { database in
            let writer = SessionActivityWriter(
                store: SessionRepository(database: database, logger: self.logger),
                configuration: .init(flushInterval: .seconds(3600), maxBatch: 1000),
                logger: self.logger
            )
            let group = ServiceGroup(services: [writer], logger: self.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                writer.touch(SessionTouch(bot: "uk", telegramUserID: 99, chatID: 99, language: "ru"))
                try await Task.sleep(for: .milliseconds(50))
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(try await SessionRepository(database: database, logger: self.logger).language(bot: "uk", telegramUserID: 99) == "ru")
        }
    }
}
