import Gateway
import Persistence
import TelegramEmulator
import UKServiceFakes
import Testing

/// `/language` is durable: after Redis loses everything, the choice comes back from PostgreSQL.
@Suite("UK bot end to end: the language choice", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct LanguageTests {
    static let user = ServiceUser(id: "u-farida", telegramID: 7951, fullName: "Farida")

    @Test("choose Русский, flush this gateway's Redis keys, and /start still answers in Russian")
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

            let stored = try await world.database.withDatabase { database in
                try await SessionRepository(database: database, logger: ScratchDatabase.logger).language(bot: "default", telegramUserID: 7951)
            }
            #expect(stored == "ru", "bot_sessions keeps the choice")

            // The user service forgets it too, so the answer below can come only from bot_sessions.
            world.services.upsert(Self.user)
            try await world.flushRedis()
            #expect(try await world.redisKeys().isEmpty)

            let greeting = try await farida.command("start")
            #expect(greeting.text == russian.text("menu.greeting", ["name": "Farida"]))
            #expect(greeting.buttonLabels == russian.applicantMenu)
            let profile = "{\(world.keys.prefix):default:7951}:profile"
            #expect(try await world.redis.send(["EXISTS", .string(profile)]).int == 1, "the choice is copied back into Redis")
        }
    }
}
