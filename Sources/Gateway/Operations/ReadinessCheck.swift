/// One dependency whose state `GET /ready` reports: Redis, PostgreSQL, a
/// circuit breaker. Parts register theirs with ``ReadinessChecks``.
public protocol ReadinessCheck: Sendable {
    /// A short stable name, the key in the `/ready` JSON (`redis`).
    var name: String { get }
    /// Whether the gateway is not ready while this check is down; an optional
    /// dependency is reported but does not turn `/ready` into 503.
    var isRequired: Bool { get }
    /// Looks at the dependency now. Honour task cancellation: a check still
    /// running at the deadline is cancelled and reported down.
    func check() async -> ReadinessState
}

/// What a ``ReadinessCheck`` found.
public enum ReadinessState: Sendable, Hashable {
    case up
    /// Up, with counts worth showing (dead letters per bot): reported in the body, never a failure.
    case counting([String: Int])
    /// Down, with a reason fit for an operator (no secrets, no addresses with credentials).
    case down(String)
}

extension ReadinessState {
    /// Whether the dependency is up.
    public var isUp: Bool {
        switch self {
        case .up, .counting: true
        case .down: false
        }
    }
}

/// A ``ReadinessCheck`` made of a closure, for small checks.
public struct ClosureReadinessCheck: ReadinessCheck {
    public let name: String
    public let isRequired: Bool
    private let body: @Sendable () async -> ReadinessState

    /// Creates a check named `name` that runs `body`.
    public init(name: String, isRequired: Bool = true, _ body: @escaping @Sendable () async -> ReadinessState) {
        self.name = name
        self.isRequired = isRequired
        self.body = body
    }

    public func check() async -> ReadinessState {
        await self.body()
    }
}
