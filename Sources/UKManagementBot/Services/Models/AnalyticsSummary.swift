/// Request and user figures for one period.
public struct AnalyticsSummary: Codable, Sendable, Hashable {
    public var period: AnalyticsPeriod
    public var requestsCreated: Int
    public var requestsDone: Int
    /// Mean hours from creation to done.
    public var averageResolutionHours: Double
    public var activeUsers: Int

    /// Creates a summary.
    public init(period: AnalyticsPeriod, requestsCreated: Int, requestsDone: Int, averageResolutionHours: Double, activeUsers: Int) {
        self.period = period
        self.requestsCreated = requestsCreated
        self.requestsDone = requestsDone
        self.averageResolutionHours = averageResolutionHours
        self.activeUsers = activeUsers
    }

    enum CodingKeys: String, CodingKey {
        case period
        case requestsCreated = "requests_created"
        case requestsDone = "requests_done"
        case averageResolutionHours = "avg_resolution_hours"
        case activeUsers = "active_users"
    }
}
