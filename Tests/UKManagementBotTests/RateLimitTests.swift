import Gateway
import TelegramBotAPI
import GatewayTestSupport
import Testing

/// Past the per-user limit the user gets exactly one localized notice, then silence.
@Suite("UK bot end to end: rate limits", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct RateLimitTests {
    @Test("RATE_LIMIT_MESSAGES_PER_MINUTE=5 and 8 messages: 5 handled, one notice, then nothing")
    func oneNotice() async throws {
        try await BotWorld.run(.init(environment: ["RATE_LIMIT_MESSAGES_PER_MINUTE": "5"])) { world in
            let user = world.privateUser(id: 7801, firstName: "Quick", languageCode: "uz")
            let updates = (1...8).map { user.user.send("message \($0)") }
            for update in updates {
                try await world.waitUntilHandled(update)
            }
            // Every update was handled; the replies leave through the outbox at Telegram's pace.
            let outbox = world.keys.conversation(user.conversation, of: .single).outbox
            try await waitUntil("the replies to leave the outbox") {
                try await world.redis.send(["LLEN", .string(outbox)]).int == 0
            }

            let texts = world.telegram.botEvents(inChat: user.chatID).map(\.text)
            let handled = user.withMenu(user.text("common.not_understood"))
            #expect(texts == Array(repeating: handled, count: 5) + [user.text("limits.notice")])
            let notices = world.logs.filter { $0.message == "user rate-limited; notice sent" }
            #expect(notices.count == 1)
        }
    }
}
