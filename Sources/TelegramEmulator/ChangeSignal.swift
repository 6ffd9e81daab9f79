import Synchronization

/// Wakes waiters when the emulator's state changes.
///
/// A waiter notes the generation before it looks at the state and sleeps only while the generation
/// is still that one, so a change between its look and its sleep is never missed.
final class ChangeSignal: Sendable {
    private struct State {
        var generation = 0
        var nextID = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters that have an id but have not finished waiting.
        var unfinished: Set<Int> = []
        var cancelledBeforeWaiting: Set<Int> = []
    }

    private let state = Mutex(State())

    /// The number of changes so far.
    var generation: Int {
        state.withLock { $0.generation }
    }

    /// Records a change and wakes every waiter.
    func notify() {
        let waiters = state.withLock { state in
            state.generation += 1
            state.unfinished.subtract(state.waiters.keys)
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters {
            waiter.resume()
        }
    }

    /// Returns once the generation differs from `generation`, or the task is cancelled.
    func wait(after generation: Int) async {
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            state.unfinished.insert(state.nextID)
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state in
                    if state.cancelledBeforeWaiting.remove(id) != nil || state.generation != generation {
                        state.unfinished.remove(id)
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
                if let waiter = state.waiters.removeValue(forKey: id) {
                    state.unfinished.remove(id)
                    return waiter
                }
                if state.unfinished.contains(id) { state.cancelledBeforeWaiting.insert(id) }
                return nil
            }
            waiter?.resume()
        }
    }

    /// Polls `probe` after every change until it returns a value or `deadline` passes.
    ///
    /// - Returns: The probe's value, or nil once the deadline passed or the task was cancelled.
    func value<T: Sendable>(before deadline: ContinuousClock.Instant, _ probe: () -> T?) async -> T? {
        while true {
            let seen = generation
            if let value = probe() { return value }
            if ContinuousClock.now >= deadline || Task.isCancelled { return nil }
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.wait(after: seen) }
                group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
                await group.next()
                group.cancelAll()
            }
        }
    }
}
