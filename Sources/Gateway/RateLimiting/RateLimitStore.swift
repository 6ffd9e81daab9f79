/// Where per-user counters live. ``RedisRateLimitStore`` shares them across
/// instances; ``InMemoryRateLimitStore`` serves one process (the sandbox).
/// Both pass the same contract tests.
public protocol RateLimitStore: Sendable {
    /// Counts `hit` in its windows and decides under `policy`.
    func record(_ hit: RateLimitHit, policy: RateLimitPolicy) async throws -> RateLimitDecision

    /// Whether `button` (a callback's data on one message) was already pressed
    /// by the user within `window`; the first press in a window claims it.
    func isRepeatPress(bot: BotID, userID: Int64, button: String, within window: Duration) async throws -> Bool
}
