/// One of the downstream HTTP services of `downstream-services.md`.
public enum DownstreamService: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case auth
    case users
    case requests
    case shifts
    case analytics

    /// The environment variable holding the service's base URL, such as `AUTH_SERVICE_URL`.
    public var environmentVariable: String {
        switch self {
        case .auth: "AUTH_SERVICE_URL"
        case .users: "USER_SERVICE_URL"
        case .requests: "REQUEST_SERVICE_URL"
        case .shifts: "SHIFT_SERVICE_URL"
        case .analytics: "ANALYTICS_SERVICE_URL"
        }
    }

    public var description: String { rawValue }
}
