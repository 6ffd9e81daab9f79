import Synchronization

/// A clock that moves only when a test says so.
final class ManualClock: Sendable {
    private let current = Mutex(ContinuousClock.now)

    func now() -> ContinuousClock.Instant {
        current.withLock { $0 }
    }

    func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
    }
}
