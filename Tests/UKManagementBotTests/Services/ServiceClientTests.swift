import Synchronization
import CurlHTTP
import Foundation
import Gateway
import Logging
import ServiceClients
import TelegramEmulator
import Testing
import UKManagementBot
import UKServiceFakes

@Suite("Service client against the fake services")
struct ServiceClientTests {
    private let mine = ServiceRequest(.get, "/api/v1/shifts/mine")
    private let caller = DownstreamHarness.caller(DownstreamHarness.executor, "bot:42")

    @Test("headers: bearer of the acting user, X-Request-ID, Idempotency-Key only when given")
    func headers() async throws {
        try await DownstreamHarness.run { harness in
            let clients = try harness.clients()
            _ = try await clients.shifts.myShifts(caller: caller)
            _ = try await clients.shifts.take(shiftID: "s-2", idempotencyKey: "bot:42:confirm", caller: caller)
            let calls = harness.services.calls().filter { $0.route != .authTelegram }
            #expect(calls.map(\.requestID) == ["bot:42", "bot:42"])
            #expect(calls.map(\.userID) == ["u-2", "u-2"])
            #expect(calls.map(\.idempotencyKey) == [nil, "bot:42:confirm"])
            #expect(harness.services.calls(.authTelegram).map(\.requestID) == ["bot:42"])
        }
    }

    @Test("two transient failures, then success on the third attempt")
    func retriesThenSuccess() async throws {
        try await DownstreamHarness.run { harness in
            let clients = try harness.clients()
            harness.services.failNext(2, of: .myShifts)
            let shifts = try await clients.shifts.myShifts(caller: caller)
            #expect(shifts.isEmpty)
            #expect(harness.services.calls(.myShifts).map(\.status) == [503, 503, 200])
            #expect(clients.shifts.client.circuitState == .closed(consecutiveFailures: 0))
        }
    }

    @Test("three failures: unavailable after 3 attempts, the breaker opens and the next call is not sent")
    func exhaustedOpensTheBreaker() async throws {
        let breaker = CircuitBreaker.Configuration(failureThreshold: 3, coolDown: .seconds(60))
        try await DownstreamHarness.run(breaker: breaker) { harness in
            let client = harness.client("shift")
            let tokens = harness.tokens()
            harness.services.failNext(3, of: .myShifts)
            let error = await #expect(throws: DownstreamError.self) {
                let _: ShiftList = try await client.send(mine, caller: caller, tokens: tokens)
            }
            #expect(error?.code == .unavailable)
            #expect(error?.status == 503)
            #expect(error?.serviceCode == "unavailable")
            #expect(error?.catalogKey == "error.service_unavailable")
            #expect(error?.message.contains("3 attempts") == true)
            guard case .open = client.circuitState else {
                Issue.record("expected an open breaker, got \(client.circuitState)")
                return
            }

            let started = ContinuousClock.now
            let refused = await #expect(throws: DownstreamError.self) {
                let _: ShiftList = try await client.send(mine, caller: caller, tokens: tokens)
            }
            #expect(ContinuousClock.now - started < .milliseconds(100))
            #expect(refused?.code == .unavailable)
            #expect(refused?.status == nil)
            #expect(refused?.message.contains("circuit breaker is open") == true)
            #expect(harness.services.calls(.myShifts).count == 3)
        }
    }

    @Test("slow answers open the breaker though every call succeeds; the next call is not sent")
    func slownessOpensTheBreaker() async throws {
        let breaker = CircuitBreaker.Configuration(failureThreshold: 100, coolDown: .seconds(60), slowCallDuration: .milliseconds(150), slowCallWindow: 4)
        try await DownstreamHarness.run(breaker: breaker) { harness in
            let client = harness.client("shift")
            let tokens = harness.tokens()
            harness.services.setLatency(.milliseconds(300), for: .myShifts)
            for _ in 0..<4 {
                let _: ShiftList = try await client.send(mine, caller: caller, tokens: tokens)
            }
            guard case .open = client.circuitState else {
                Issue.record("expected an open breaker after 4 slow calls, got \(client.circuitState)")
                return
            }
            let refused = await #expect(throws: DownstreamError.self) {
                let _: ShiftList = try await client.send(mine, caller: caller, tokens: tokens)
            }
            #expect(refused?.message.contains("slow answers") == true)
            #expect(harness.services.calls(.myShifts).count == 4)
        }
    }

    @Test("a service's concurrency limit: calls past the limit wait, and never more than the limit reach the service at once")
    func concurrencyLimit() async throws {
        try await DownstreamHarness.run { harness in
            let bulkhead = Bulkhead(limit: 2)
            let client = ServiceClient(
                configuration: .init(service: "shift", baseURL: harness.services.baseURL, retry: DownstreamHarness.fastRetry),
                httpClient: harness.http, logger: Logger(label: "downstream-test"), bulkhead: bulkhead)
            let tokens = harness.tokens()
            // Log in first, so the six calls below are all calls of the shift service.
            let _: ShiftList = try await client.send(mine, caller: caller, tokens: tokens)
            harness.services.setLatency(.milliseconds(300), for: .myShifts)
            let sends = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<6 {
                        group.addTask {
                            let _: ShiftList = try await client.send(mine, caller: caller, tokens: tokens)
                        }
                    }
                    try await group.waitForAll()
                }
            }
            var peak = 0
            for _ in 0..<40 {
                peak = max(peak, bulkhead.inFlight)
                try await Task.sleep(for: .milliseconds(20))
            }
            try await sends.value
            #expect(peak == 2)
            #expect(harness.services.calls(.myShifts).count == 7)
            #expect(bulkhead.inFlight == 0)
        }
    }

    @Test("half-open: after the cool-down one probe goes; its success closes the breaker")
    func halfOpenProbeSucceeds() async throws {
        let breaker = CircuitBreaker.Configuration(failureThreshold: 3, coolDown: .milliseconds(300))
        try await DownstreamHarness.run(breaker: breaker) { harness in
            let client = harness.client("shift")
            let tokens = harness.tokens()
            harness.services.failNext(3, of: .myShifts)
            await #expect(throws: DownstreamError.self) {
                let _: ShiftList = try await client.send(mine, caller: caller, tokens: tokens)
            }
            try await Task.sleep(for: .milliseconds(350))
            let list: ShiftList = try await client.send(mine, caller: caller, tokens: tokens)
            #expect(list.items.isEmpty)
            #expect(client.circuitState == .closed(consecutiveFailures: 0))
            #expect(harness.services.calls(.myShifts).map(\.status) == [503, 503, 503, 200])
        }
    }

    @Test("half-open: a failed probe opens the breaker again without further attempts")
    func halfOpenProbeFails() async throws {
        let breaker = CircuitBreaker.Configuration(failureThreshold: 3, coolDown: .milliseconds(300))
        try await DownstreamHarness.run(breaker: breaker) { harness in
            let client = harness.client("shift")
            let tokens = harness.tokens()
            harness.services.failNext(4, of: .myShifts)
            await #expect(throws: DownstreamError.self) {
                let _: ShiftList = try await client.send(mine, caller: caller, tokens: tokens)
            }
            try await Task.sleep(for: .milliseconds(350))
            let error = await #expect(throws: DownstreamError.self) {
                let _: ShiftList = try await client.send(mine, caller: caller, tokens: tokens)
            }
            #expect(error?.code == .unavailable)
            #expect(error?.status == 503)
            #expect(error?.message.hasSuffix("(1 attempt; the circuit breaker is now open)") == true)
            #expect(harness.services.calls(.myShifts).count == 4)
            guard case .open = client.circuitState else {
                Issue.record("expected an open breaker, got \(client.circuitState)")
                return
            }
        }
    }

    @Test("429 waits for Retry-After, then succeeds; it does not count against the breaker")
    func rateLimitHonoursRetryAfter() async throws {
        try await DownstreamHarness.run(breaker: CircuitBreaker.Configuration(failureThreshold: 1)) { harness in
            let clients = try harness.clients()
            harness.services.failNext(1, of: .availableShifts, status: 429)
            let started = ContinuousClock.now
            let shifts = try await clients.shifts.availableShifts(caller: caller)
            #expect(ContinuousClock.now - started >= .seconds(1))
            #expect(shifts.count == 3)
            let calls = harness.services.calls(.availableShifts)
            #expect(calls.map(\.status) == [429, 200])
            #expect(calls[1].date.timeIntervalSince(calls[0].date) >= 0.95)
            #expect(clients.shifts.client.circuitState == .closed(consecutiveFailures: 0))
        }
    }

    @Test("a Retry-After longer than the client waits fails at once as rateLimited")
    func retryAfterBeyondTheLimit() async throws {
        var retry = DownstreamHarness.fastRetry
        retry.maxRetryAfter = .milliseconds(500)
        try await DownstreamHarness.run(retry: retry) { harness in
            let clients = try harness.clients()
            harness.services.failNext(1, of: .availableShifts, status: 429)
            let error = await #expect(throws: DownstreamError.self) {
                _ = try await clients.shifts.availableShifts(caller: caller)
            }
            #expect(error?.code == .rateLimited)
            #expect(error?.retryAfter == .seconds(1))
            #expect(error?.catalogKey == "error.service_unavailable")
            #expect(harness.services.calls(.availableShifts).count == 1)
        }
    }

    @Test("401 on an expired token: one login again, then the call succeeds")
    func unauthorizedLogsInAgain() async throws {
        try await DownstreamHarness.run { harness in
            let clients = try harness.clients()
            _ = try await clients.shifts.myShifts(caller: caller)
            harness.services.expireAllTokens()
            let shifts = try await clients.shifts.myShifts(caller: DownstreamHarness.caller(DownstreamHarness.executor, "bot:43"))
            #expect(shifts.isEmpty)
            #expect(harness.services.calls(.myShifts).map(\.status) == [200, 401, 200])
            let logins = harness.services.calls(.authTelegram)
            #expect(logins.count == 2)
            #expect(logins.last?.requestID == "bot:43")
        }
    }

    @Test("401 again after logging in again: unauthorized, with one extra login only")
    func unauthorizedTwiceGivesUp() async throws {
        try await DownstreamHarness.run { harness in
            let clients = try harness.clients()
            harness.services.failNext(2, of: .myShifts, status: 401)
            let error = await #expect(throws: DownstreamError.self) {
                _ = try await clients.shifts.myShifts(caller: caller)
            }
            #expect(error?.code == .unauthorized)
            #expect(error?.status == 401)
            #expect(harness.services.calls(.authTelegram).count == 2)
            #expect(harness.services.calls(.myShifts).count == 2)
        }
    }

    @Test("a timed-out attempt is retried; with one attempt it fails as unavailable")
    func timeout() async throws {
        var retry = DownstreamHarness.fastRetry
        retry.attemptTimeout = .milliseconds(300)
        retry.attempts = 2
        try await DownstreamHarness.run(retry: retry) { harness in
            let clients = try harness.clients()
            harness.services.delayNext(1, of: .myShifts, by: .seconds(2))
            let started = ContinuousClock.now
            _ = try await clients.shifts.myShifts(caller: caller)
            #expect(ContinuousClock.now - started < .seconds(2))
        }
        retry.attempts = 1
        try await DownstreamHarness.run(retry: retry) { harness in
            let clients = try harness.clients()
            harness.services.delayNext(1, of: .myShifts, by: .seconds(2))
            let started = ContinuousClock.now
            let error = await #expect(throws: DownstreamError.self) {
                _ = try await clients.shifts.myShifts(caller: caller)
            }
            #expect(ContinuousClock.now - started < .seconds(1.5))
            #expect(error?.code == .unavailable)
            #expect(error?.status == nil)
            #expect(error?.message == "GET /api/v1/shifts/mine timed out after 0.3 s")
        }
    }

    @Test("a write without an Idempotency-Key is not retried once it may have reached the service")
    func writeWithoutKeyIsNotRetried() async throws {
        try await DownstreamHarness.run { harness in
            let client = harness.client("request")
            let tokens = harness.tokens()
            harness.services.failNext(1, of: .createRequest)
            let draft = RequestDraft(category: "plumbing", description: "The kitchen tap leaks", address: "Block 4, apt 12")
            let error = await #expect(throws: DownstreamError.self) {
                let _: CreatedRequest = try await client.send(
                    ServiceRequest(.post, "/api/v1/requests", body: draft), caller: caller, tokens: tokens)
            }
            #expect(error?.code == .unavailable)
            #expect(harness.services.calls(.createRequest).count == 1)
        }
    }

    @Test("a refused connection is retried, then reported as unavailable")
    func connectionRefused() async throws {
        let closedPort = try await Self.closedPort()
        try await DownstreamHarness.run { harness in
            let client = harness.client("analytics", baseURL: "http://127.0.0.1:\(closedPort)")
            let error = await #expect(throws: DownstreamError.self) {
                let _: AnalyticsSummary = try await client.send(
                    ServiceRequest(.get, "/api/v1/analytics/summary"), caller: caller, tokens: harness.tokens())
            }
            #expect(error?.code == .unavailable)
            #expect(error?.service == "analytics")
            #expect(error?.message.contains("3 attempts") == true)
            #expect(client.circuitState == .closed(consecutiveFailures: 3))
        }
    }

    @Test("a body that is not the contract's JSON is an unexpected error naming what is wrong")
    func malformedBody() async throws {
        let server = LocalHTTPServer { request in
            let body = request.uri.hasSuffix("/mine") ? #"{"items": [{"id": "s-1""# : #"{"items": [{"id": "s-1", "location": "Block 4"}]}"#
            return LocalHTTPServer.Response(status: 200, headers: [(name: "Content-Type", value: "application/json")], body: Array(body.utf8))
        }
        let port = try await server.start()
        do {
            try await DownstreamHarness.run { harness in
                let shifts = ShiftServiceClient(client: harness.client("shift", baseURL: "http://127.0.0.1:\(port)"), tokens: FixedTokens())
                let truncated = await #expect(throws: DownstreamError.self) {
                    _ = try await shifts.myShifts(caller: caller)
                }
                #expect(truncated?.code == .unexpected)
                #expect(truncated?.status == 200)
                #expect(truncated?.message.hasPrefix("GET /api/v1/shifts/mine answered 200 with a body that is not the expected JSON") == true)
                let incomplete = await #expect(throws: DownstreamError.self) {
                    _ = try await shifts.availableShifts(caller: caller)
                }
                #expect(incomplete?.code == .unexpected)
                #expect(incomplete?.message.contains("items[0].starts_at: missing") == true)
            }
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    @Test("no error text holds the access token, even when a service echoes it")
    func tokenNeverInErrors() async throws {
        let echo = LocalHTTPServer { request in
            let token = request.header("Authorization") ?? ""
            let body = #"{"error": {"code": "forbidden", "message": "token \#(token) may not"}}"#
            return LocalHTTPServer.Response(status: 403, headers: [(name: "Content-Type", value: "application/json")], body: Array(body.utf8))
        }
        let port = try await echo.start()
        do {
            try await DownstreamHarness.run { harness in
                let tokens = harness.tokens()
                let requests = RequestServiceClient(client: harness.client("request"), tokens: tokens)
                let analytics = AnalyticsServiceClient(client: harness.client("analytics"), tokens: tokens)
                let shifts = ShiftServiceClient(client: harness.client("shift"), tokens: tokens)
                let echoing = ShiftServiceClient(client: harness.client("shift", baseURL: "http://127.0.0.1:\(port)"), tokens: tokens)
                let resident = DownstreamHarness.caller(DownstreamHarness.resident)
                var errors: [DownstreamError] = []
                func collect(_ call: () async throws -> Void) async {
                    do {
                        try await call()
                        Issue.record("expected a DownstreamError")
                    } catch let error as DownstreamError {
                        errors.append(error)
                    } catch {
                        Issue.record(error)
                    }
                }
                await collect { _ = try await echoing.myShifts(caller: resident) }
                await collect { _ = try await requests.request(number: "R-404", caller: resident) }
                await collect { _ = try await analytics.summary(period: .week, caller: resident) }
                harness.services.failNext(3, of: .myShifts)
                await collect { _ = try await shifts.myShifts(caller: resident) }
                let first = try await tokens.token(for: resident.telegramID, forceRefresh: false)
                harness.services.failNext(2, of: .categories, status: 401)
                await collect { _ = try await requests.categories(caller: resident) }
                let second = try await tokens.token(for: resident.telegramID, forceRefresh: false)
                #expect(first != second)
                #expect(errors.map(\.code) == [.forbidden, .notFound, .forbidden, .unavailable, .unauthorized])
                #expect(errors[0].serviceMessage == "token Bearer <redacted> may not")
                let session = try await tokens.session(for: TelegramIdentity(telegramID: resident.telegramID), requestID: "r")
                let texts = errors.flatMap { [String(describing: $0), String(reflecting: $0), $0.serviceMessage ?? ""] } + ["\(session)"]
                for secret in [first, second, harness.services.baseURL] {
                    #expect(texts.allSatisfy { !$0.contains(secret) })
                }
            }
        } catch {
            await echo.shutdown()
            throw error
        }
        await echo.shutdown()
    }

    @Test("a service that is not configured is named by its variable")
    func notConfigured() async throws {
        let configuration = DownstreamConfiguration(serviceURLs: ["auth": "http://auth", "user": "http://users"])
        let error = #expect(throws: ConfigurationError.self) {
            _ = try configuration.clientConfiguration(for: "shift")
        }
        #expect(error?.problems.map(\.variable) == ["SHIFT_SERVICE_URL"])
        #expect(try configuration.clientConfiguration(for: "auth").baseURL == "http://auth")

        let http = try HTTPClient()
        let missing = #expect(throws: ConfigurationError.self) {
            _ = try DownstreamClients(
                configuration: configuration, httpClient: http, logger: Logger(label: "test"), requiredBy: "the UK bot"
            ) { CachingAccessTokenProvider(auth: $0) }
        }
        #expect(missing?.problems.map(\.variable) == ["REQUEST_SERVICE_URL", "SHIFT_SERVICE_URL", "ANALYTICS_SERVICE_URL"])
        #expect(missing?.problems.first?.message.contains("required by the UK bot") == true)
        await http.shutdown()
    }

    /// A port nothing listens on: bound by a server that is then stopped.
    private static func closedPort() async throws -> Int {
        let server = LocalHTTPServer { _ in LocalHTTPServer.Response() }
        let port = try await server.start()
        await server.shutdown()
        return port
    }
}

/// `{"items": [shift…]}` for sending through the core client.
private struct ShiftList: Decodable {
    var items: [Shift]
}

/// Hands out one made-up token, for servers that do not check it.
private struct FixedTokens: AccessTokenProvider {
    func token(for telegramID: Int64, forceRefresh: Bool) async throws -> String {
        "fixed-token"
    }
}
