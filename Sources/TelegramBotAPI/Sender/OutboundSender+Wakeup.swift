extension OutboundSender {
    /// Tells the run loop that something changed: a call was queued, a send
    /// finished, shutdown began. A signal while the loop is busy is kept, so
    /// none is lost.
    func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.wakeupPending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at `deadline` (when `alarm` rings) or at the next ``wake()``,
    /// whichever comes first (at once if a wakeup is pending), or when the
    /// task is cancelled. A ring left from an earlier wait only makes the
    /// loop look once more.
    func waitForChange(until deadline: ContinuousClock.Instant?, alarm: SenderAlarm) async {
        if let deadline {
            alarm.arm(at: deadline)
        }
        await self.nextWakeup()
    }

    private func nextWakeup() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if state.wakeupPending || Task.isCancelled {
                        state.wakeupPending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
