import Foundation
import GatewayTestSupport
import TelegramEmulator
import Testing

/// The Bot API refusing the bot's token (401: revoked in @BotFather, or a
/// wrong one) says nothing about the replies: they stay queued, `/ready`
/// says why, and sending resumes by itself once `getMe` succeeds.
@Suite("UK bot end to end: the Bot API refusing the token", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct BotAPIOutageTests {
    @Test("401 for a few seconds: no reply lost or doubled, /ready says why, sending resumes alone")
    func revokedTokenPausesSending() async throws {
        try await BotWorld.run { world in
            let alex = world.privateUser(id: 7301, firstName: "Alex")
            _ = try await alex.command("start")
            #expect(try await world.ready().status == 200)

            world.telegram.setTokenRevoked(true)
            let answered = Task { try await alex.command("help") }
            try await waitUntil("/ready to say why the bot cannot send", timeout: .seconds(15)) {
                let ready = try await world.ready()
                return ready.status == 503 && ready.body.contains("the token was refused (401)")
            }
            try await Task.sleep(for: .seconds(2))
            world.telegram.setTokenRevoked(false)

            let help = try await answered.value
            #expect(help.text.contains("/start"), "the queued reply went out once the token was accepted again")
            try await waitUntil("/ready to be green again", timeout: .seconds(10)) { try await world.ready().status == 200 }
            try await Task.sleep(for: .seconds(1))
            let helps = world.telegram.botEvents(inChat: alex.chatID).filter { $0.message.text == help.text }
            #expect(helps.count == 1, "answered once")
        }
    }
}
