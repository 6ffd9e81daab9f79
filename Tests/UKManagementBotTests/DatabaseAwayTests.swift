import Foundation
import GatewayTestSupport
import Persistence
import TelegramEmulator
import Testing
import UKServiceFakes

/// PostgreSQL off the critical path: `serve` starts while it is away, the
/// bot works from Redis alone, and when PostgreSQL comes the gateway
/// migrates it and writes what it kept meanwhile.
@Suite("UK bot end to end: PostgreSQL away at start", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct DatabaseAwayTests {
    private static func ready(_ world: BotWorld) async throws -> String {
        let ready = try await world.ready()
        #expect(ready.status == 200, "PostgreSQL is optional: the gateway stays ready")
        return ready.body
    }

    @Test("serve starts without PostgreSQL and answers the happy path; PostgreSQL comes: migrations run, activity lands, /ready says so")
    func startsWithoutPostgreSQL() async throws {
        try await BotWorld.run(.init(databaseAway: true)) { world in
            let degraded = try await Self.ready(world)
            #expect(degraded.contains(#""postgresql":{"status":"degraded","required":false"#), "\(degraded)")

            let alex = world.privateUser(id: 7001, firstName: "Alex")
            let started = ContinuousClock.now
            _ = try await alex.command("start")
            try await RequestFlow.drive(alex, to: "confirm")
            let created = try await alex.press(alex.text("button.confirm"))
            #expect(created.text == alex.withMenu(alex.text("request.created", ["number": "R-000001"])))
            #expect(ContinuousClock.now - started < .seconds(15), "no step waited for PostgreSQL")
            _ = try await alex.command("language")
            let russian = try await alex.press("Русский")
            #expect(russian.text == alex.speaking("ru").withMenu(alex.speaking("ru").text("language.changed", ["language": "Русский"])))

            try await #require(world.databaseProxy).open()
            try await waitUntil("the migrations and the buffered activity in PostgreSQL", timeout: .seconds(60)) {
                let row = try? await world.database.withDatabase { database in
                    try await SessionRepository(database: database, logger: ScratchDatabase.logger).profile(bot: "default", telegramUserID: 7001)
                }
                return row?.language == "ru"
            }
            try await waitUntil("/ready to see PostgreSQL up", timeout: .seconds(20)) {
                try await Self.ready(world).contains(#""postgresql":{"status":"up""#)
            }
            let logs = world.logs
            #expect(logs.contains { $0.message == "migration applied" })
            #expect(logs.contains { $0.message == "PostgreSQL connected and migrated" })
        }
    }
}
