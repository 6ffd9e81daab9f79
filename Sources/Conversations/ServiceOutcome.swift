/// How a ``ServiceCall`` ended, as the driver reports it.
public enum ServiceOutcome: Sendable, Hashable {
    /// The call succeeded; its fields are merged into the conversation's data
    /// (so later prompts and calls can refer to them).
    case success([String: FlowValue] = [:])
    /// The call failed; `messageKey` overrides the catalog key said for it.
    case failure(ServiceFailure, messageKey: String? = nil)
}

/// Why a service call failed, as far as a flow cares.
public struct ServiceFailure: Sendable, Hashable, CustomStringConvertible {
    private enum Base: String, CaseIterable {
        case unavailable
        case conflict
        case notFound
        case invalid
        case forbidden
    }

    private let base: Base

    private init(_ base: Base) {
        self.base = base
    }

    /// The service is down, timed out, or its circuit is open: nothing happened, try again.
    public static let unavailable = ServiceFailure(.unavailable)
    /// 409: the thing changed under us (someone else took the shift).
    public static let conflict = ServiceFailure(.conflict)
    /// 404.
    public static let notFound = ServiceFailure(.notFound)
    /// 400/422: the service refused the values.
    public static let invalid = ServiceFailure(.invalid)
    /// 401/403.
    public static let forbidden = ServiceFailure(.forbidden)

    /// Every failure kind, in a fixed order.
    public static let allCases: [ServiceFailure] = Base.allCases.map(ServiceFailure.init)

    public var description: String { self.base.rawValue }
}
