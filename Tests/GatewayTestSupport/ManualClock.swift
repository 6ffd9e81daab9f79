import Synchronization

/// A clock that moves only when a test says so.
public final class ManualClock: Sendable {
    private let current = Mutex(ContinuousClock.now)

    /// Creates a clock reading the real time once.
    public init() {}

    /// The clock's reading.
    public func now() -> ContinuousClock.Instant {
        current.withLock { $0 }
    }

    /// Moves the clock on.
    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }
}
