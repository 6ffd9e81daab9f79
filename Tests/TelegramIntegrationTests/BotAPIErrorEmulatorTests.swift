import TelegramBotAPI
import TelegramEmulator
import Testing

/// How the client maps the emulator's real refusals, with Telegram's wording and statuses, and
/// that none of its errors carries the token.
@Suite("Bot API errors from the emulator")
struct BotAPIErrorEmulatorTests {
    @Test func editOfAnUnknownMessageIsAPermanentBadRequest() async throws {
        try await withEmulator { harness in
            let alice = harness.telegram.privateUser(id: 1001, firstName: "Alice")
            let error = try #require(
                await botAPIError { () async throws(BotAPIError) in
                    try await harness.client.editMessageText(EditMessageText(.message(chatID: alice.chat.id, messageID: 999), text: "New"))
                })
            #expect(error.code == .badRequest)
            #expect(error.disposition == .permanent)
            #expect(error.errorCode == 400)
            #expect(error.method == "editMessageText")
            #expect(error.description == "Bad Request: message to edit not found")
            expectNoToken(in: error, harness.client.configuration.token)
        }
    }

    @Test func aUserWhoBlockedTheBotIsForbidden() async throws {
        try await withEmulator { harness in
            let alice = harness.telegram.privateUser(id: 1001, firstName: "Alice")
            alice.blockBot()
            let error = try #require(
                await botAPIError { () async throws(BotAPIError) in
                    try await harness.client.sendMessage(SendMessage(chatID: alice.chat.id, text: "Hello"))
                })
            #expect(error.code == .forbidden)
            #expect(error.disposition == .permanent)
            #expect(error.errorCode == 403)
            #expect(error.description == "Forbidden: bot was blocked by the user")
            #expect(harness.telegram.botEvents(inChat: alice.chat.id).isEmpty)
            expectNoToken(in: error, harness.client.configuration.token)
        }
    }

    @Test func aWrongTokenIsUnauthorizedAndAMalformedOneNotFound() async throws {
        try await withEmulator { harness in
            let wrongToken = "987654321:AAH-another-bots-secret"
            let wrong = try #require(await botAPIError { () async throws(BotAPIError) in try await harness.client(forToken: wrongToken).getMe() })
            #expect(wrong.code == .unauthorized)
            #expect(wrong.disposition == .botUnavailable)
            #expect(wrong.errorCode == 401)
            expectNoToken(in: wrong, wrongToken)

            let malformedToken = "no-colon-token-secret"
            let malformed = try #require(await botAPIError { () async throws(BotAPIError) in try await harness.client(forToken: malformedToken).getMe() })
            #expect(malformed.code == .notFound)
            #expect(malformed.errorCode == 404)
            expectNoToken(in: malformed, malformedToken)
        }
    }

    @Test func theSendingLimitAnswersRateLimitedWithRetryAfter() async throws {
        let limits = FakeTelegram.Limits(isEnabled: true, perPrivateChatPerSecond: 1, privateChatBurst: 1)
        try await withEmulator(FakeTelegram.Configuration(limits: limits)) { harness in
            let alice = harness.telegram.privateUser(id: 1001, firstName: "Alice")
            _ = try await harness.client.sendMessage(SendMessage(chatID: alice.chat.id, text: "First"))
            let error = try #require(
                await botAPIError { () async throws(BotAPIError) in
                    try await harness.client.sendMessage(SendMessage(chatID: alice.chat.id, text: "Second"))
                })
            #expect(error.code == .rateLimited)
            #expect(error.disposition == .rateLimited)
            #expect(error.errorCode == 429)
            #expect(error.retryAfter == .seconds(1))
            #expect(error.description == "Too Many Requests: retry after 1")
            #expect(harness.telegram.tooManyRequestsCount == 1)
            #expect(harness.telegram.calls("sendMessage").last?.retryAfter == 1)
            #expect(harness.telegram.botEvents(inChat: alice.chat.id).map(\.message.text) == ["First"])
            expectNoToken(in: error, harness.client.configuration.token)
        }
    }

    @Test func getUpdatesWhileAWebhookIsSetIsAConflict() async throws {
        try await withEmulator { harness in
            try await harness.client.setWebhook(SetWebhook(url: "https://127.0.0.1:8443/webhook/uk"))
            let error = try #require(await botAPIError { () async throws(BotAPIError) in try await harness.client.getUpdates(GetUpdates(timeout: 0)) })
            #expect(error.code == .conflict)
            #expect(error.disposition == .permanent)
            #expect(error.errorCode == 409)
            #expect(error.description.hasPrefix("Conflict: can't use getUpdates method while webhook is active"))
            expectNoToken(in: error, harness.client.configuration.token)
        }
    }

    @Test func aSecondPollEndsTheWaitingOneWithAConflict() async throws {
        try await withEmulator { harness in
            let client = harness.client
            let first = Task { try await client.getUpdates(GetUpdates(timeout: 5)) }
            // Let the first poll reach the emulator and wait there.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await client.getUpdates(GetUpdates(timeout: 0)).isEmpty)
            let error = await #expect(throws: BotAPIError.self) { try await first.value }
            #expect(error?.code == .conflict)
            #expect(error?.errorCode == 409)
            #expect(error?.description.hasPrefix("Conflict: terminated by other getUpdates request") == true)
        }
    }

    @Test func aServerNobodyListensAtIsANetworkErrorWithoutTheToken() async throws {
        try await withEmulator { harness in
            // Port 1 is privileged and unused: a freed random port could be
            // taken by another test's server running in parallel.
            let port = 1
            let token = harness.client.configuration.token
            let client = BotAPIClient(
                configuration: .init(token: token, baseURL: "http://127.0.0.1:\(port)", requestTimeout: .seconds(5)),
                httpClient: harness.http,
                logger: .init(label: "bot-api-client")
            )
            let error = try #require(await botAPIError { () async throws(BotAPIError) in try await client.getMe() })
            #expect(error.code == .network)
            #expect(error.disposition == .transient)
            #expect(error.errorCode == nil)
            expectNoToken(in: error, token)
        }
    }
}

/// Checks that neither of an error's texts names the token, whole or its secret half.
private func expectNoToken(in error: BotAPIError, _ token: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let secret = token.split(separator: ":", maxSplits: 1).last.map(String.init) ?? token
    for text in [error.description, error.debugDescription, String(describing: error)] {
        #expect(!text.contains(token), "\(text)", sourceLocation: sourceLocation)
        #expect(!text.contains(secret), "\(text)", sourceLocation: sourceLocation)
    }
}
