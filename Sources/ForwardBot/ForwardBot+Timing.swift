public import Foundation
import ServiceLifecycle

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

        /// The real clocks, `Task.sleep` cut short by graceful shutdown, and a random jitter.
        ///
        /// A step waiting out a backoff or an open breaker when the gateway
        /// stops throws `CancellationError` at once, so the dispatcher hands
        /// the update back instead of holding the shutdown for its wait.
        public static let live = Timing(
            now: { ContinuousClock.now },
            wallClock: { Date() },
            sleep: { duration in
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
                if Task.isShuttingDownGracefully { throw CancellationError() }
            },
            jitter: { Double.random(in: 0..<1) }
        )
    }
}
