import Synchronization

/// Rate-limit counters in this process's memory: for the sandbox and for a
/// single instance without Redis. Forgets users whose windows have passed.
public final class InMemoryRateLimitStore: RateLimitStore {
    private struct Key: Hashable {
        let bot: BotID
        let userID: Int64
    }

    private struct State {
        var windows: [Key: RateLimitWindows] = [:]
        var presses: [String: ContinuousClock.Instant] = [:]
        var hitsSincePrune = 0
    }

    private let state = Mutex(State())
    private let now: @Sendable () -> ContinuousClock.Instant

    /// Creates an empty store; `now` is injectable for tests.
    public init(now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.now = now
    }

    public func record(_ hit: RateLimitHit, policy: RateLimitPolicy) async throws -> RateLimitDecision {
        let now = self.now()
        return self.state.withLock { state in
            state.hitsSincePrune += 1
            if state.hitsSincePrune >= 4096 {
                state.hitsSincePrune = 0
                state.windows = state.windows.filter { !$0.value.isIdle(at: now) }
                state.presses = state.presses.filter { $0.value > now }
            }
            if let button = hit.button {
                let key = "\(hit.bot.name)\u{0}\(hit.userID)\u{0}\(button)"
                if let until = state.presses[key], until > now {
                    return .repeatedPress
                }
                state.presses[key] = now + policy.repeatPressWindow
            }
            return state.windows[Key(bot: hit.bot, userID: hit.userID), default: RateLimitWindows()]
                .record(isCommand: hit.isCommand, policy: policy, now: now)
        }
    }
}
