public import CurlHTTP
public import Gateway
public import Logging
public import ServiceClients

/// A client for every downstream service, built from one ``DownstreamConfiguration`` over one
/// shared ``HTTPClient``, with the token provider they authorize calls through.
public struct DownstreamClients: Sendable {
    /// The named services the UK bot calls: `AUTH_SERVICE_URL`, `USER_SERVICE_URL`,
    /// `REQUEST_SERVICE_URL`, `SHIFT_SERVICE_URL` and `ANALYTICS_SERVICE_URL`.
    public static let serviceNames = ["auth", "user", "request", "shift", "analytics"]

    public let auth: AuthServiceClient
    public let users: UserServiceClient
    public let requests: RequestServiceClient
    public let shifts: ShiftServiceClient
    public let analytics: AnalyticsServiceClient
    /// The provider every call on a user's behalf takes its token from.
    public let tokens: any AccessTokenProvider

    /// Creates the clients.
    ///
    /// - Parameters:
    ///   - tokens: makes the token provider from the auth client, for example
    ///     `{ CachingAccessTokenProvider(auth: $0) }`.
    ///   - user: who needs the services, for the error, such as `the UK bot`.
    ///   - bulkheads: the gateway's limits on calls in flight per service.
    ///   - health: where the gateway tallies each service's attempts for `/status`.
    /// - Throws: ``ConfigurationError`` naming every service URL that is not set.
    public init(
        configuration: DownstreamConfiguration,
        httpClient: HTTPClient,
        logger: Logger,
        requiredBy user: String,
        bulkheads: ServiceBulkheads = ServiceBulkheads(),
        health: ServiceHealthBoard? = nil,
        tokens: (AuthServiceClient) -> any AccessTokenProvider
    ) throws(ConfigurationError) {
        try configuration.require(Self.serviceNames, by: user)
        func client(_ service: String) -> ServiceClient {
            let url = configuration.serviceURLs[service] ?? ""
            let concurrency = configuration.concurrency(of: service)
            return ServiceClient(
                configuration: ServiceClient.Configuration(
                    service: service, baseURL: url, retry: configuration.retry, circuitBreaker: configuration.circuitBreaker,
                    concurrency: concurrency),
                httpClient: httpClient,
                logger: logger,
                bulkhead: bulkheads.bulkhead(for: service, limit: concurrency),
                health: health)
        }
        auth = AuthServiceClient(client: client("auth"))
        let provider = tokens(auth)
        self.tokens = provider
        users = UserServiceClient(client: client("user"), tokens: provider)
        requests = RequestServiceClient(client: client("request"), tokens: provider)
        shifts = ShiftServiceClient(client: client("shift"), tokens: provider)
        analytics = AnalyticsServiceClient(client: client("analytics"), tokens: provider)
    }
}
