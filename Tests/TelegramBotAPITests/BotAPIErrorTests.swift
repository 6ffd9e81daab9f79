import CurlHTTP
import Foundation
import Logging
import TelegramEmulator
import Testing

@testable import TelegramBotAPI

/// Runs a call that must fail and returns its error.
func expectFailure<Result>(_ call: () async throws -> Result, sourceLocation: SourceLocation = #_sourceLocation) async -> BotAPIError? {
    do {
        let result = try await call()
        Issue.record("expected a BotAPIError, got \(result)", sourceLocation: sourceLocation)
    } catch let error as BotAPIError {
        return error
    } catch {
        Issue.record("expected a BotAPIError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

/// Every text of an error that could reach a log.
func allText(of error: BotAPIError) -> String {
    [error.description, error.debugDescription, String(describing: error), String(reflecting: error), "\(error)"].joined(separator: "\n")
}

@Suite("Bot API client: errors")
struct BotAPIErrorTests {
    @Test func tooManyRequestsIsRateLimitedWithRetryAfter() async throws {
        try await withBotAPI(reply: { _ in
            ScriptedBotAPI.error(429, "Too Many Requests: retry after 3", retryAfter: 3)
        }) { client, _ in
            let error = try #require(await expectFailure { try await client.sendMessage(SendMessage(chatID: 5, text: "hi")) })
            #expect(error.code == .rateLimited)
            #expect(error.disposition == .rateLimited)
            #expect(error.errorCode == 429)
            #expect(error.retryAfter == .seconds(3))
            #expect(error.description == "Too Many Requests: retry after 3")
            #expect(error.method == "sendMessage")
        }
    }

    @Test(arguments: [
        (403, "Forbidden: bot was blocked by the user", BotAPIError.Code.forbidden),
        (400, "Bad Request: chat not found", .badRequest),
        (404, "Not Found", .notFound),
        (401, "Unauthorized", .unauthorized),
        (409, "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running", .conflict),
        (413, "Request Entity Too Large", .rejected),
    ])
    func refusalsAreNotRetried(status: Int, description: String, code: BotAPIError.Code) async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.error(status, description) }) { client, _ in
            let error = try #require(await expectFailure { try await client.sendMessage(SendMessage(chatID: 5, text: "hi")) })
            #expect(error.code == code)
            // 401 and 404 are about the bot (its token, its base URL), not the call.
            #expect(error.disposition == ([.unauthorized, .notFound].contains(code) ? .botUnavailable : .permanent))
            #expect(error.errorCode == status)
            #expect(error.description == description)
            #expect(error.retryAfter == nil)
        }
    }

    @Test func serverErrorsAreTransient() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.error(502, "Bad Gateway") }) { client, _ in
            let error = try #require(await expectFailure { try await client.getMe() })
            #expect(error.code == .serverError)
            #expect(error.disposition == .transient)
        }
    }

    @Test func htmlErrorPageKeepsTheStatusMeaning() async throws {
        try await withBotAPI(reply: { _ in
            LocalHTTPServerResponse.html(503, "<html><body>503 Service Unavailable</body></html>")
        }) { client, _ in
            let error = try #require(await expectFailure { try await client.getMe() })
            #expect(error.code == .serverError)
            #expect(error.errorCode == 503)
            #expect(error.disposition == .transient)
        }
    }

    @Test func undecodableSuccessIsAnInvalidResponse() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok(#"{"id":"not a number"}"#) }) { client, _ in
            let error = try #require(await expectFailure { try await client.getMe() })
            #expect(error.code == .invalidResponse)
            #expect(error.disposition == .botUnavailable, "not the Bot API answering: a proxy's page, a wrong URL")
            #expect(error.description.contains("result.id"))
        }
    }

    @Test func groupUpgradeCarriesTheNewChatID() async throws {
        try await withBotAPI(reply: { _ in
            ScriptedBotAPI.error(400, "Bad Request: group chat was upgraded to a supergroup chat", migrateTo: -1001234567890)
        }) { client, _ in
            let error = try #require(await expectFailure { try await client.sendMessage(SendMessage(chatID: -123, text: "hi")) })
            #expect(error.code == .badRequest)
            #expect(error.migrateToChatID == -1001234567890)
        }
    }

    @Test func refusedConnectionIsATransientNetworkError() async throws {
        // A port that was just free: nothing listens there any more.
        let server = LocalHTTPServer { _ in LocalHTTPServer.Response() }
        let port = try await server.start()
        await server.shutdown()
        let http = try HTTPClient()
        let client = BotAPIClient(configuration: .init(token: testToken, baseURL: "http://127.0.0.1:\(port)"), httpClient: http, logger: Logger(label: "test"))
        let error = await expectFailure { try await client.getMe() }
        await http.shutdown()
        let failure = try #require(error)
        #expect(failure.code == .network)
        #expect(failure.disposition == .transient)
        #expect(failure.errorCode == nil)
        #expect(!allText(of: failure).contains(testToken))
    }

    @Test func timeoutIsTransientAndNamesNoURL() async throws {
        try await withBotAPI(requestTimeout: .milliseconds(200), reply: { _ in
            try? await Task.sleep(for: .seconds(2))
            return ScriptedBotAPI.ok("true")
        }) { client, _ in
            let error = try #require(await expectFailure { try await client.deleteWebhook() })
            #expect(error.code == .timedOut)
            #expect(error.disposition == .transient)
            #expect(!allText(of: error).contains(testToken))
            #expect(!allText(of: error).contains("/bot"))
        }
    }
}

@Suite("Bot API client: token redaction")
struct TokenRedactionTests {
    let configuration = BotAPIClient.Configuration(token: testToken)

    @Test func redactsTheTokenInEveryForm() {
        let secret = String(testToken.split(separator: ":")[1])
        #expect(configuration.redacting("POST https://api.telegram.org/bot\(testToken)/sendMessage") == "POST https://api.telegram.org/bot<redacted>/sendMessage")
        #expect(configuration.redacting("token \(testToken) is bad") == "token bot<redacted> is bad")
        #expect(configuration.redacting("/bot123456%3A\(secret)/getMe") == "/bot<redacted>/getMe")
        #expect(configuration.redacting("secret \(secret) alone") == "secret bot<redacted> alone")
        #expect(configuration.redacting("bot 123456 is public") == "bot 123456 is public")
    }

    @Test func emptyTokenChangesNothing() {
        #expect(BotAPIClient.Configuration(token: "").redacting("anything") == "anything")
    }

    @Test func configurationDescriptionHidesTheToken() {
        #expect(!String(describing: configuration).contains(testToken))
        #expect(!String(reflecting: configuration).contains(testToken))
    }

    @Test func telegramDescriptionEchoingTheTokenIsRedacted() async throws {
        try await withBotAPI(reply: { call in
            // Telegram quotes bad input back; here the input held the token.
            let text = call.fields.text ?? ""
            return ScriptedBotAPI.error(400, "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 0 in \(text)")
        }) { client, _ in
            let error = try #require(await expectFailure { try await client.sendMessage(SendMessage(chatID: 5, text: "*\(testToken)")) })
            #expect(error.code == .badRequest)
            #expect(!allText(of: error).contains(testToken))
            #expect(error.description.hasSuffix("in *bot<redacted>"))
        }
    }

    @Test func errorForAnUnreadableBodyHidesTheToken() async throws {
        try await withBotAPI(reply: { _ in LocalHTTPServerResponse.html(502, "<html>bad gateway for /bot\(testToken)/getMe</html>") }) { client, _ in
            let error = try #require(await expectFailure { try await client.getMe() })
            #expect(!allText(of: error).contains(testToken))
        }
    }
}

/// Non-JSON responses, as a proxy in front of the Bot API would send.
enum LocalHTTPServerResponse {
    static func html(_ status: Int, _ body: String) -> LocalHTTPServer.Response {
        LocalHTTPServer.Response(status: status, headers: [(name: "Content-Type", value: "text/html")], body: Array(body.utf8))
    }
}
