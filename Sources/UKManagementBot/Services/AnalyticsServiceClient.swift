public import ServiceClients

/// The analytics service, for managers and admins.
public struct AnalyticsServiceClient: Sendable {
    /// The client of the analytics service.
    public let client: ServiceClient
    private let tokens: any AccessTokenProvider

    /// Creates the client; `tokens` authorizes each call as its caller.
    public init(client: ServiceClient, tokens: any AccessTokenProvider) {
        self.client = client
        self.tokens = tokens
    }

    /// Request and user figures for `period` (`GET /api/v1/analytics/summary`).
    ///
    /// - Throws: ``DownstreamError``, ``DownstreamError/Code/forbidden`` for a caller who is
    ///   neither manager nor admin.
    public func summary(period: AnalyticsPeriod, caller: DownstreamCaller) async throws(DownstreamError) -> AnalyticsSummary {
        try await client.send(ServiceRequest(.get, "/api/v1/analytics/summary", query: [("period", period.rawValue)]), caller: caller, tokens: tokens)
    }
}
