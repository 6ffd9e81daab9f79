import Foundation

/// One route of the fake downstream services, named by method and path template as in the
/// contract, such as `POST /api/v1/requests`; used to inject latency and failures per route.
public struct ServiceRoute: Sendable, Hashable, CustomStringConvertible {
    /// `METHOD /path/{parameter}`.
    public let rawValue: String

    private init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public static let authTelegram = ServiceRoute("POST /api/v1/auth/telegram")
    public static let authValidate = ServiceRoute("POST /api/v1/auth/validate")
    public static let permissionsCheck = ServiceRoute("POST /api/v1/auth/permissions/check")
    public static let userByTelegram = ServiceRoute("GET /api/v1/users/by-telegram/{telegram_id}")
    public static let userLanguage = ServiceRoute("PATCH /api/v1/users/{id}/language")
    public static let users = ServiceRoute("GET /api/v1/users")
    public static let categories = ServiceRoute("GET /api/v1/requests/categories")
    public static let createRequest = ServiceRoute("POST /api/v1/requests")
    public static let listRequests = ServiceRoute("GET /api/v1/requests")
    public static let requestByNumber = ServiceRoute("GET /api/v1/requests/{number}")
    public static let myShifts = ServiceRoute("GET /api/v1/shifts/mine")
    public static let shiftSchedule = ServiceRoute("GET /api/v1/shifts/schedule")
    public static let availableShifts = ServiceRoute("GET /api/v1/shifts/available")
    public static let takeShift = ServiceRoute("POST /api/v1/shifts/{id}/take")
    public static let analyticsSummary = ServiceRoute("GET /api/v1/analytics/summary")

    /// Every route, in the contract's order.
    public static let all: [ServiceRoute] = [
        .authTelegram, .authValidate, .permissionsCheck, .userByTelegram, .userLanguage, .users, .categories,
        .createRequest, .listRequests, .requestByNumber, .myShifts, .shiftSchedule, .availableShifts, .takeShift,
        .analyticsSummary,
    ]

    /// The service that serves the route, as `downstream-services.md` names it: `auth`, `user`,
    /// `request`, `shift` or `analytics`.
    public var service: String {
        let resource = rawValue.split(separator: "/").dropFirst(3).first ?? ""
        return resource.hasSuffix("s") && resource != "analytics" ? String(resource.dropLast()) : String(resource)
    }

    /// Matches a request; returns the values of the template's `{parameters}` in order.
    func match(method: String, path: [Substring]) -> [String]? {
        let parts = rawValue.split(separator: " ")
        guard parts[0] == method else { return nil }
        let template = parts[1].split(separator: "/")
        guard template.count == path.count else { return nil }
        var values: [String] = []
        for (expected, actual) in zip(template, path) {
            if expected.hasPrefix("{") {
                values.append(actual.removingPercentEncoding ?? String(actual))
            } else if expected != actual {
                return nil
            }
        }
        return values
    }

    /// Whether the route creates or changes something, and so honours `Idempotency-Key`.
    var isWrite: Bool {
        self == .createRequest || self == .takeShift || self == .userLanguage
    }

    public var description: String { rawValue }
}
