public import CurlHTTP
public import Logging

/// A client for every downstream service, built from one ``DownstreamConfiguration`` over one
/// shared ``HTTPClient``, with the token provider they authorize calls through.
public struct DownstreamClients: Sendable {
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
    /// - Throws: ``ConfigurationError`` naming every service URL that is not set.
    public init(
        configuration: DownstreamConfiguration,
        httpClient: HTTPClient,
        logger: Logger,
        requiredBy user: String,
        tokens: (AuthServiceClient) -> any AccessTokenProvider
    ) throws(ConfigurationError) {
        try configuration.require(DownstreamService.allCases, by: user)
        func client(_ service: DownstreamService) -> ServiceClient {
            let url = configuration.serviceURLs[service] ?? ""
            return ServiceClient(
                configuration: ServiceClient.Configuration(
                    service: service, baseURL: url, retry: configuration.retry, circuitBreaker: configuration.circuitBreaker),
                httpClient: httpClient,
                logger: logger)
        }
        auth = AuthServiceClient(client: client(.auth))
        let provider = tokens(auth)
        self.tokens = provider
        users = UserServiceClient(client: client(.users), tokens: provider)
        requests = RequestServiceClient(client: client(.requests), tokens: provider)
        shifts = ShiftServiceClient(client: client(.shifts), tokens: provider)
        analytics = AnalyticsServiceClient(client: client(.analytics), tokens: provider)
    }
}
