/// A token bucket kept as one instant: the generic cell rate algorithm (GCRA).
///
/// Sends are spaced `interval` apart on average, and up to `burst` may go at
/// once after a quiet spell. Instead of a token count refilled over time, it
/// stores the theoretical arrival time of the next send, so it needs no timer
/// and no per-send history.
struct TokenBucket: Sendable {
    private let interval: Duration
    /// How far ahead of the paced schedule a send may run: `(burst - 1) × interval`.
    private let tolerance: Duration
    private var theoreticalArrival: Moment?

    init(_ limit: OutboundRateLimit) {
        self.interval = limit.interval
        self.tolerance = limit.interval * (max(limit.burst, 1) - 1)
    }

    /// The first instant a send conforms; nil if one may go at any time.
    var earliestSend: Moment? {
        theoreticalArrival.map { $0 - tolerance }
    }

    mutating func record(at now: Moment) {
        theoreticalArrival = max(theoreticalArrival ?? now, now) + interval
    }

    /// True once the bucket is full again, when forgetting it loses nothing.
    func isFull(at now: Moment) -> Bool {
        guard let theoreticalArrival else { return true }
        return theoreticalArrival <= now
    }
}
