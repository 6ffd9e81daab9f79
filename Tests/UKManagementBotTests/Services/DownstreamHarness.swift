import CurlHTTP
import Gateway
import Logging
import ServiceClients
import TelegramEmulator
import UKManagementBot
import UKServiceFakes

/// The fake services on 127.0.0.1, an HTTP client, and downstream clients pointed at them.
struct DownstreamHarness: Sendable {
    static let resident = ServiceUser(id: "u-1", telegramID: 1001, fullName: "Alice Resident", language: "ru")
    static let executor = ServiceUser(
        id: "u-2", telegramID: 1002, fullName: "Bob Electrician", phone: "+998901234567", roles: ["executor"], language: "uz",
        specialization: "electrician")
    static let busyExecutor = ServiceUser(
        id: "u-3", telegramID: 1003, fullName: "Carol Plumber", roles: ["executor"], specialization: "plumber", isAvailable: false)
    static let manager = ServiceUser(id: "u-4", telegramID: 1004, fullName: "Dan Manager", roles: ["manager"])
    static let admin = ServiceUser(id: "u-5", telegramID: 1005, fullName: "Eve Admin", roles: ["admin"], language: "en")
    static let blocked = ServiceUser(id: "u-6", telegramID: 1006, fullName: "Mallory Blocked", status: "blocked")
    static let everyone = [resident, executor, busyExecutor, manager, admin, blocked]

    /// Short pauses so retry tests take milliseconds; the contract's attempt count.
    static let fastRetry = RetryPolicy(
        attempts: 3, attemptTimeout: .seconds(5), initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(40),
        maxRetryAfter: .seconds(3))

    let services: FakeServices
    let http: HTTPClient
    let retry: RetryPolicy
    let breaker: CircuitBreaker.Configuration

    /// Starts the services, runs `body`, and stops everything, also when `body` throws.
    static func run(
        tokenLifetime: Duration = .seconds(3600),
        retry: RetryPolicy = fastRetry,
        breaker: CircuitBreaker.Configuration = CircuitBreaker.Configuration(failureThreshold: 100),
        _ body: (DownstreamHarness) async throws -> Void
    ) async throws {
        let services = FakeServices(configuration: .init(tokenLifetime: tokenLifetime, users: everyone))
        try await services.start()
        let http = try HTTPClient()
        let harness = DownstreamHarness(services: services, http: http, retry: retry, breaker: breaker)
        do {
            try await body(harness)
        } catch {
            await http.shutdown()
            await services.shutdown()
            throw error
        }
        await http.shutdown()
        await services.shutdown()
    }

    var configuration: DownstreamConfiguration {
        DownstreamConfiguration(
            serviceURLs: Dictionary(uniqueKeysWithValues: DownstreamClients.serviceNames.map { ($0, services.baseURL) }),
            retry: retry, circuitBreaker: breaker)
    }

    /// A client of one service with the harness's settings.
    func client(
        _ service: String,
        baseURL: String? = nil,
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) -> ServiceClient {
        ServiceClient(
            configuration: .init(service: service, baseURL: baseURL ?? services.baseURL, retry: retry, circuitBreaker: breaker),
            httpClient: http, logger: Logger(label: "downstream-test"), now: now)
    }

    /// Every client, with tokens from an ``CachingAccessTokenProvider``.
    func clients() throws -> DownstreamClients {
        try DownstreamClients(
            configuration: configuration, httpClient: http, logger: Logger(label: "downstream-test"), requiredBy: "the tests"
        ) { CachingAccessTokenProvider(auth: $0) }
    }

    /// A token provider over a fresh auth client.
    func tokens(now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) -> CachingAccessTokenProvider {
        CachingAccessTokenProvider(auth: AuthServiceClient(client: client("auth")), now: now)
    }

    static func caller(_ user: ServiceUser, _ requestID: String = "bot:1") -> DownstreamCaller {
        DownstreamCaller(telegramID: user.telegramID, requestID: requestID)
    }
}
