/// The counting rules of ``RateLimitStore`` as a value: fixed windows that
/// start at their first hit, and one notice per stretch of being limited.
/// ``InMemoryRateLimitStore`` keeps one per user; the Redis store's script
/// does the same with key expiry.
struct RateLimitWindows: Sendable {
    private struct Counter: Sendable {
        var count = 0
        /// Nil until the first hit opens a window.
        var endsAt: ContinuousClock.Instant?

        func isOpen(at now: ContinuousClock.Instant) -> Bool {
            self.endsAt.map { $0 > now } ?? false
        }
    }

    private var minute = Counter()
    private var hour = Counter()
    private var commands = Counter()
    private var noticeUntil: ContinuousClock.Instant?

    mutating func record(isCommand: Bool, policy: RateLimitPolicy, now: ContinuousClock.Instant) -> RateLimitDecision {
        Self.count(&self.minute, window: .seconds(60), now: now)
        Self.count(&self.hour, window: .seconds(3600), now: now)
        var checked = [(self.minute, policy.messagesPerMinute), (self.hour, policy.messagesPerHour)]
        if isCommand {
            Self.count(&self.commands, window: .seconds(60), now: now)
            checked.append((self.commands, policy.commandsPerMinute))
        }
        var blockedUntil: ContinuousClock.Instant?
        for (counter, limit) in checked where counter.count > limit {
            if let endsAt = counter.endsAt {
                blockedUntil = max(blockedUntil ?? endsAt, endsAt)
            }
        }
        guard let blockedUntil else { return .allowed }
        if let noticeUntil = self.noticeUntil, noticeUntil > now {
            return .silent
        }
        self.noticeUntil = blockedUntil
        return .notify
    }

    /// Whether nothing is left to remember at `now`.
    func isIdle(at now: ContinuousClock.Instant) -> Bool {
        !self.hour.isOpen(at: now) && (self.noticeUntil ?? now) <= now
    }

    private static func count(_ counter: inout Counter, window: Duration, now: ContinuousClock.Instant) {
        if !counter.isOpen(at: now) {
            counter = Counter(count: 0, endsAt: now + window)
        }
        counter.count += 1
    }
}
