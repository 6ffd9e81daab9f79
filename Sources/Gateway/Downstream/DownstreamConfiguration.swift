public import ServiceClients

/// Where the named downstream services are and how to call them; plain values with defaults,
/// read from the environment by `GatewayConfiguration(environment:)` (see `docs/configuration.md`).
///
/// A service is named by the stem of its variable, lowercased: `REQUEST_SERVICE_URL` configures
/// the service `request`. Bot modules declare the names they call; the gateway checks at start
/// that each is configured, so a deployment names only the services its bots use.
public struct DownstreamConfiguration: Sendable {
    /// The base URL of each configured service, by name; a service left out is not configured.
    public var serviceURLs: [String: String]
    /// Telegram users treated as admins whatever the bot's identity provider says
    /// (`ADMIN_USER_IDS`), so a fresh installation has someone to administer it.
    public var adminUserIDs: Set<Int64>
    /// Attempts, timeouts and backoff, the same for every service.
    public var retry: RetryPolicy
    /// Each service's breaker settings.
    public var circuitBreaker: CircuitBreaker.Configuration
    /// Calls in flight at once per service (`<NAME>_SERVICE_CONCURRENCY`);
    /// a service not named gets ``defaultConcurrency``.
    public var concurrency: [String: Int]

    /// Creates a configuration.
    public init(
        serviceURLs: [String: String] = [:],
        adminUserIDs: Set<Int64> = [],
        retry: RetryPolicy = RetryPolicy(),
        circuitBreaker: CircuitBreaker.Configuration = CircuitBreaker.Configuration(),
        concurrency: [String: Int] = [:]
    ) {
        self.serviceURLs = serviceURLs
        self.adminUserIDs = adminUserIDs
        self.retry = retry
        self.circuitBreaker = circuitBreaker
        self.concurrency = concurrency
    }

    /// Calls in flight per service when `<NAME>_SERVICE_CONCURRENCY` is not set.
    public static let defaultConcurrency = 16

    /// Calls in flight at once allowed to `service`.
    public func concurrency(of service: String) -> Int {
        self.concurrency[service] ?? Self.defaultConcurrency
    }

    /// The environment variable holding a service's base URL: `request` → `REQUEST_SERVICE_URL`.
    public static func environmentVariable(of service: String) -> String {
        "\(service.uppercased())_SERVICE_URL"
    }

    /// The settings of a ``ServiceClient`` for `service`.
    ///
    /// - Throws: ``ConfigurationError`` naming the variable to set.
    public func clientConfiguration(for service: String) throws(ConfigurationError) -> ServiceClient.Configuration {
        try self.require([service], by: "a bot")
        return ServiceClient.Configuration(
            service: service, baseURL: self.serviceURLs[service] ?? "", retry: self.retry, circuitBreaker: self.circuitBreaker,
            concurrency: self.concurrency(of: service))
    }

    /// Checks at start that every service a bot calls is configured.
    ///
    /// - Parameters:
    ///   - services: the names of the services the bot calls.
    ///   - user: who needs them, for the message, such as `bot "uk" (kind uk)`.
    /// - Throws: ``ConfigurationError`` with one problem per missing variable.
    public func require(_ services: some Sequence<String>, by user: String) throws(ConfigurationError) {
        let problems = services.filter { self.serviceURLs[$0] == nil }.map { service in
            ConfigurationError.Problem(
                variable: Self.environmentVariable(of: service),
                message: "required by \(user): the \(service) service's base URL (http:// or https://)")
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
    }
}
