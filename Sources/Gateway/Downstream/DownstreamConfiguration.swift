/// Where the downstream services are and how to call them; plain values with defaults, read
/// from the environment by `GatewayConfiguration(environment:)` (see `docs/configuration.md`).
public struct DownstreamConfiguration: Sendable {
    /// The base URL of each configured service; a service left out is not configured.
    public var serviceURLs: [DownstreamService: String]
    /// Telegram users treated as admins whatever the auth service says (`ADMIN_USER_IDS`), so a
    /// fresh installation has someone to administer it.
    public var adminUserIDs: Set<Int64>
    /// Attempts, timeouts and backoff, the same for every service.
    public var retry: RetryPolicy
    /// Each service's breaker settings.
    public var circuitBreaker: CircuitBreaker.Configuration

    /// Creates a configuration.
    public init(
        serviceURLs: [DownstreamService: String] = [:],
        adminUserIDs: Set<Int64> = [],
        retry: RetryPolicy = RetryPolicy(),
        circuitBreaker: CircuitBreaker.Configuration = CircuitBreaker.Configuration()
    ) {
        self.serviceURLs = serviceURLs
        self.adminUserIDs = adminUserIDs
        self.retry = retry
        self.circuitBreaker = circuitBreaker
    }

    /// The settings of a ``ServiceClient`` for `service`.
    ///
    /// - Throws: ``DownstreamError/Code/notConfigured`` naming the variable to set.
    public func clientConfiguration(for service: DownstreamService) throws(DownstreamError) -> ServiceClient.Configuration {
        guard let url = serviceURLs[service] else {
            throw DownstreamError(
                .notConfigured, service: service,
                message: "\(service.environmentVariable) is not set; set it to the \(service) service's base URL (http:// or https://)")
        }
        return ServiceClient.Configuration(service: service, baseURL: url, retry: retry, circuitBreaker: circuitBreaker)
    }

    /// Checks at start that every service a bot calls is configured.
    ///
    /// - Parameters:
    ///   - services: the services the bot calls.
    ///   - user: who needs them, for the message, such as `the UK bot`.
    /// - Throws: ``ConfigurationError`` with one problem per missing variable.
    public func require(_ services: some Sequence<DownstreamService>, by user: String) throws(ConfigurationError) {
        let problems = services.filter { serviceURLs[$0] == nil }.map { service in
            ConfigurationError.Problem(
                variable: service.environmentVariable,
                message: "required by \(user): the \(service) service's base URL (http:// or https://)")
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
    }
}
