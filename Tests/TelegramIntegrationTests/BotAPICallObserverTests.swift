import CurlHTTP
import Logging
import Synchronization
import TelegramBotAPI
import TelegramEmulator
import Testing

/// The client tells its observer how each call ended, from the emulator's real answers.
@Suite("Bot API call observer")
struct BotAPICallObserverTests {
    final class Records: Sendable {
        let list = Mutex<[BotAPICallRecord]>([])
        func append(_ record: BotAPICallRecord) { list.withLock { $0.append(record) } }
        var all: [BotAPICallRecord] { list.withLock { $0 } }
    }

    @Test func everyOutcomeIsReported() async throws {
        let limits = FakeTelegram.Limits(isEnabled: true, perPrivateChatPerSecond: 1, privateChatBurst: 1)
        try await withEmulator(FakeTelegram.Configuration(limits: limits)) { harness in
            let records = Records()
            let client = BotAPIClient(
                configuration: harness.client.configuration,
                httpClient: harness.http,
                logger: Logger(label: "observer-test"),
                observer: { records.append($0) }
            )
            let alice = harness.telegram.privateUser(id: 2001, firstName: "Alice")
            _ = try await client.sendMessage(SendMessage(chatID: alice.chat.id, text: "First"))
            _ = await botAPIError { () async throws(BotAPIError) in
                try await client.sendMessage(SendMessage(chatID: alice.chat.id, text: "Too soon"))
            }
            _ = await botAPIError { () async throws(BotAPIError) in
                try await client.editMessageText(EditMessageText(.message(chatID: alice.chat.id, messageID: 999_999), text: "x"))
            }
            let unreachable = BotAPIClient(
                configuration: .init(token: harness.client.configuration.token, baseURL: "http://127.0.0.1:1"),
                httpClient: harness.http,
                logger: Logger(label: "observer-test"),
                observer: { records.append($0) }
            )
            _ = await botAPIError { () async throws(BotAPIError) in try await unreachable.getMe() }

            let seen = records.all
            #expect(seen.map(\.method) == ["sendMessage", "sendMessage", "editMessageText", "getMe"])
            #expect(seen.map(\.outcome) == [.ok, .rateLimited, .error, .network])
            #expect(seen[1].retryAfter == .seconds(1))
            #expect(seen.allSatisfy { $0.duration > .zero })
        }
    }
}
