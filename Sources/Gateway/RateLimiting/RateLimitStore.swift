public import RedisClient

/// Where per-user counters live. ``RedisRateLimitStore`` shares them across
/// instances; ``InMemoryRateLimitStore`` serves one process (the sandbox).
/// Both pass the same contract tests.
public protocol RateLimitStore: Sendable {
    /// Counts `hit` in its windows and decides under `policy`, in one step:
    /// a repeated press is found first and counts nothing.
    func record(_ hit: RateLimitHit, policy: RateLimitPolicy) async throws -> RateLimitDecision

    /// The keys ``decide(_:policy:preloaded:)`` needs read for `hit`, to be
    /// read with the lease of the user's private chat; none when the store
    /// cannot decide that way.
    func preloadKeys(for hit: RateLimitHit) -> [String]

    /// Decides `hit` as ``record(_:policy:)`` would, from counters read with
    /// the conversation's lease, and returns the writes that count it, for
    /// the step's commit to run; nil when `preloaded` lacks a key it needs.
    func decide(_ hit: RateLimitHit, policy: RateLimitPolicy, preloaded: [PreloadedValue]) -> PreloadedRateLimitDecision?
}

extension RateLimitStore {
    public func preloadKeys(for hit: RateLimitHit) -> [String] {
        []
    }

    public func decide(_ hit: RateLimitHit, policy: RateLimitPolicy, preloaded: [PreloadedValue]) -> PreloadedRateLimitDecision? {
        nil
    }
}

/// A decision taken from preloaded counters, and the Redis commands that
/// count the hit (see ``StepOutcome/writes``).
public struct PreloadedRateLimitDecision: Sendable {
    /// What becomes of the update.
    public var decision: RateLimitDecision
    /// The commands that record the hit, for the commit.
    public var writes: [[RedisArgument]]

    /// Creates a decision.
    public init(decision: RateLimitDecision, writes: [[RedisArgument]]) {
        self.decision = decision
        self.writes = writes
    }
}
