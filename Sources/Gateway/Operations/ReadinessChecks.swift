import Synchronization

/// The checks `GET /ready` runs, registered by each part at start.
///
/// Checks run concurrently, each limited to `timeout`, so one hung dependency
/// neither hides the others nor hangs the probe.
public final class ReadinessChecks: Sendable {
    /// The outcome of one check.
    public struct Result: Sendable, Hashable {
        public var name: String
        public var isRequired: Bool
        public var state: ReadinessState
    }

    private let checks = Mutex<[any ReadinessCheck]>([])
    /// How long one check may take before it counts as down.
    public let timeout: Duration

    /// Creates an empty set.
    public init(timeout: Duration = .seconds(2)) {
        self.timeout = timeout
    }

    /// Adds `check`; a later check with the same name replaces it.
    public func register(_ check: some ReadinessCheck) {
        self.checks.withLock { checks in
            checks.removeAll { $0.name == check.name }
            checks.append(check)
        }
    }

    /// Runs every check, returning results in registration order.
    public func evaluate() async -> [Result] {
        let checks = self.checks.withLock { $0 }
        let timeout = self.timeout
        let states = await withTaskGroup(of: (Int, ReadinessState).self) { group in
            for (index, check) in checks.enumerated() {
                group.addTask {
                    await withTaskGroup(of: ReadinessState?.self) { race in
                        race.addTask { await check.check() }
                        race.addTask {
                            try? await Task.sleep(for: timeout)
                            return Task.isCancelled ? nil : .down("no answer within \(timeout)")
                        }
                        let first = await race.next() ?? nil
                        race.cancelAll()
                        return (index, first ?? .down("no answer within \(timeout)"))
                    }
                }
            }
            return await group.reduce(into: [Int: ReadinessState]()) { $0[$1.0] = $1.1 }
        }
        return checks.enumerated().map { index, check in
            Result(name: check.name, isRequired: check.isRequired, state: states[index] ?? .down("not run"))
        }
    }
}
