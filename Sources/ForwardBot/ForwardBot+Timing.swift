public import Foundation

extension ForwardBot {
    /// The clocks and the sleep a ``ForwardBot`` uses, injectable so tests of
    /// retries, `Retry-After` and the breaker run without waiting.
    public struct Timing: Sendable {
        /// The monotonic clock the breaker reads.
        public var now: @Sendable () -> ContinuousClock.Instant
        /// The wall clock: the signature's `t` and a dead letter's time.
        public var wallClock: @Sendable () -> Date
        /// Waits; throws `CancellationError` when the task is cancelled.
        public var sleep: @Sendable (Duration) async throws -> Void
        /// A random number in `0..<1` that spreads retries of conversations failing together.
        public var jitter: @Sendable () -> Double

        /// Creates a timing.
        public init(
            now: @escaping @Sendable () -> ContinuousClock.Instant,
            wallClock: @escaping @Sendable () -> Date,
            sleep: @escaping @Sendable (Duration) async throws -> Void,
            jitter: @escaping @Sendable () -> Double
        ) {
            self.now = now
            self.wallClock = wallClock
            self.sleep = sleep
            self.jitter = jitter
        }

        /// The real clocks, `Task.sleep` and a random jitter.
        public static let live = Timing(
            now: { ContinuousClock.now },
            wallClock: { Date() },
            sleep: { try await Task.sleep(for: $0) },
            jitter: { Double.random(in: 0..<1) }
        )
    }
}
