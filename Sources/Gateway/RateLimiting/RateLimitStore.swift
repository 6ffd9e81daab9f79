/// Where per-user counters live. ``RedisRateLimitStore`` shares them across
/// instances; ``InMemoryRateLimitStore`` serves one process (the sandbox).
/// Both pass the same contract tests.
public protocol RateLimitStore: Sendable {
    /// Counts `hit` in its windows and decides under `policy`, in one step:
    /// a repeated press is found first and counts nothing.
    func record(_ hit: RateLimitHit, policy: RateLimitPolicy) async throws -> RateLimitDecision
}
