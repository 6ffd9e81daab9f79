import Dispatch
import Synchronization

/// The sender loop's one timer: armed for the next instant the limiter
/// names and rung by Dispatch, where each timed wait used to start a task
/// group with a sleeping child task beside the waiting one.
///
/// `@unchecked Sendable`: `DispatchSourceTimer`'s methods may be called from
/// any thread, and `armedAt` sits behind a `Mutex`.
final class SenderAlarm: @unchecked Sendable {
    private let timer: any DispatchSourceTimer
    private let armedAt = Mutex<ContinuousClock.Instant?>(nil)

    /// An alarm that calls `ring` when it goes off; ``cancel()`` it when done.
    init(ring: @escaping @Sendable () -> Void) {
        self.timer = DispatchSource.makeTimerSource(queue: .global())
        self.timer.setEventHandler { [weak self] in
            self?.armedAt.withLock { $0 = nil }
            ring()
        }
        // Activated at once: a source released before activation is a libdispatch error.
        self.timer.activate()
    }

    /// Rings at `deadline`, unless it is armed to ring sooner; an earlier
    /// ring makes the loop look again and arm anew, so none is missed.
    func arm(at deadline: ContinuousClock.Instant) {
        let rearm = self.armedAt.withLock { armedAt in
            if let armed = armedAt, armed <= deadline { return false }
            armedAt = deadline
            return true
        }
        guard rearm else { return }
        // At most an hour ahead (a paused bot may wait longer): ringing early
        // only makes the loop look again, and no far deadline can overflow.
        let delay = min(max(deadline - .now, .zero), .seconds(3600)).components
        let nanoseconds = Int(delay.seconds) * 1_000_000_000 + Int(delay.attoseconds / 1_000_000_000)
        self.timer.schedule(deadline: .now() + .nanoseconds(nanoseconds))
    }

    /// Stops the alarm for good.
    func cancel() {
        self.timer.cancel()
    }
}
