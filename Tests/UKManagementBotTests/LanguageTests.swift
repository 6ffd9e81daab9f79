import Gateway
import GatewayTestSupport
import Persistence
import TelegramEmulator
import UKServiceFakes
import Testing

/// `/language` is durable: the choice lives in Redis, is written through to
/// PostgreSQL behind, and is read back from it when the gateway connects —
/// so after Redis loses everything, a restarted gateway still knows it.
@Suite("UK bot end to end: the language choice", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct LanguageTests {
    static let user = ServiceUser(id: "u-farida", telegramID: 7951, fullName: "Farida")

    @Test("choose Русский, lose Redis's keys, restart, and /start still answers in Russian")
    func languageSurvivesARedisFlush() async throws {
        try await BotWorld.run(.init(users: [Self.user])) { world in
            // Telegram says English; only the stored choice can make the bot speak Russian.
            let farida = world.privateUser(id: 7951, firstName: "Farida", languageCode: "en")
            let russian = farida.speaking("ru")

            let prompt = try await farida.command("language")
            #expect(prompt.text == farida.text("language.prompt"))
            #expect(prompt.buttonLabels == [["English", "Русский", "O‘zbekcha"], [farida.text("button.cancel")]])
            let changed = try await farida.press("Русский")
            #expect(changed.text == russian.withMenu(russian.text("language.changed", ["language": "Русский"])))
            #expect(changed.buttonLabels == russian.applicantMenu)
            let chosen = "{\(world.keys.prefix):default:7951}:language"
            #expect(try await world.redis.send(["GET", .string(chosen)]).string == "ru", "Redis keeps the choice")

            let stored = try await eventually("the choice written through to bot_sessions", timeout: .seconds(15)) { () -> String? in
                try await world.database.withDatabase { database in
                    try await SessionRepository(database: database, logger: ScratchDatabase.logger).language(bot: "default", telegramUserID: 7951)
                }
            }
            #expect(stored == "ru")

            // The user service forgets it too, so the answer below can come only from bot_sessions.
            world.services.upsert(Self.user)
            await world.gateway?.stop()
            try await world.flushRedis()
            #expect(try await world.redisKeys().isEmpty)
            try await world.startGateway()
            try await waitUntil("the choice read back into Redis", timeout: .seconds(15)) {
                try await world.redis.send(["GET", .string(chosen)]).string == "ru"
            }

            let greeting = try await farida.command("start")
            #expect(greeting.text == russian.text("menu.greeting", ["name": "Farida"]))
            #expect(greeting.buttonLabels == russian.applicantMenu)
        }
    }
}
