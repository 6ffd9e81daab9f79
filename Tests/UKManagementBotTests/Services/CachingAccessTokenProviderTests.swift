import Gateway
import GatewayTestSupport
import ServiceClients
import TelegramEmulator
import Testing
import UKManagementBot
import UKServiceFakes

@Suite("Caching access token provider")
struct CachingAccessTokenProviderTests {
    private typealias H = DownstreamHarness

    @Test("a token is reused until the margin before expiry, then a new login replaces it")
    func cachesUntilShortlyBeforeExpiry() async throws {
        try await H.run { harness in
            let clock = ManualClock()
            let tokens = harness.tokens(now: clock.now)
            let first = try await tokens.token(for: H.resident.telegramID, forceRefresh: false)
            clock.advance(by: .seconds(3539))
            #expect(try await tokens.token(for: H.resident.telegramID, forceRefresh: false) == first)
            #expect(harness.services.calls(.authTelegram).count == 1)
            clock.advance(by: .seconds(2))
            let second = try await tokens.token(for: H.resident.telegramID, forceRefresh: false)
            #expect(second != first)
            #expect(harness.services.calls(.authTelegram).count == 2)
        }
    }

    @Test("a short-lived token is renewed at half its lifetime")
    func shortLifetime() async throws {
        try await H.run(tokenLifetime: .seconds(10)) { harness in
            let clock = ManualClock()
            let tokens = harness.tokens(now: clock.now)
            let first = try await tokens.token(for: H.executor.telegramID, forceRefresh: false)
            clock.advance(by: .milliseconds(4900))
            #expect(try await tokens.token(for: H.executor.telegramID, forceRefresh: false) == first)
            clock.advance(by: .milliseconds(200))
            #expect(try await tokens.token(for: H.executor.telegramID, forceRefresh: false) != first)
        }
    }

    @Test("forceRefresh logs in again; tokens of different users are kept apart")
    func forceRefreshAndUsers() async throws {
        try await H.run { harness in
            let tokens = harness.tokens()
            let resident = try await tokens.token(for: H.resident.telegramID, forceRefresh: false)
            let executor = try await tokens.token(for: H.executor.telegramID, forceRefresh: false)
            #expect(resident != executor)
            let refreshed = try await tokens.token(for: H.resident.telegramID, forceRefresh: true)
            #expect(refreshed != resident)
            #expect(try await tokens.token(for: H.resident.telegramID, forceRefresh: false) == refreshed)
            #expect(try await tokens.token(for: H.executor.telegramID, forceRefresh: false) == executor)
            #expect(harness.services.calls(.authTelegram).count == 3)
        }
    }

    @Test("the session is cached with the user; a later login sends the remembered identity")
    func sessionAndIdentity() async throws {
        try await H.run { harness in
            let tokens = harness.tokens()
            let identity = TelegramIdentity(telegramID: 4242, username: "ann", firstName: "Ann", languageCode: "ru")
            let session = try await tokens.session(for: identity, requestID: "bot:1")
            #expect(session.user.roles == [.applicant])
            #expect(session.user.language == "ru")
            #expect(try await tokens.session(for: identity, requestID: "bot:2") == session)
            #expect(try await tokens.token(for: 4242, forceRefresh: false) == session.accessToken)
            #expect(harness.services.calls(.authTelegram).count == 1)

            _ = try await tokens.token(for: 4242, forceRefresh: true)
            let relogin = try #require(harness.services.calls(.authTelegram).last)
            #expect(relogin.body?["first_name"] == .string("Ann"))
            #expect(relogin.body?["username"] == .string("ann"))
            #expect(relogin.requestID?.hasPrefix("login-") == true)
        }
    }

    @Test("a blocked user's session says so; their token is never handed out")
    func blockedUser() async throws {
        try await H.run { harness in
            let tokens = harness.tokens()
            let session = try await tokens.session(for: TelegramIdentity(telegramID: H.blocked.telegramID), requestID: "bot:1")
            #expect(session.user.status == .blocked)
            let error = await #expect(throws: DownstreamError.self) {
                _ = try await tokens.token(for: H.blocked.telegramID, forceRefresh: false)
            }
            #expect(error?.code == .blocked)
            #expect(error?.catalogKey == "error.blocked")
            #expect(error?.description.contains(session.accessToken) == false)

            let clients = try harness.clients()
            let refused = await #expect(throws: DownstreamError.self) {
                _ = try await clients.requests.myRequests(caller: H.caller(H.blocked))
            }
            #expect(refused?.code == .blocked)
            #expect(harness.services.calls(.listRequests).isEmpty)
        }
    }

    @Test("the auth service down: the token request fails as unavailable")
    func authUnavailable() async throws {
        try await H.run { harness in
            let clients = try harness.clients()
            harness.services.failNext(3, of: .authTelegram)
            let error = await #expect(throws: DownstreamError.self) {
                _ = try await clients.shifts.myShifts(caller: H.caller(H.executor))
            }
            #expect(error?.code == .unavailable)
            #expect(error?.service == "auth")
            #expect(harness.services.calls(.myShifts).isEmpty)
        }
    }
}
