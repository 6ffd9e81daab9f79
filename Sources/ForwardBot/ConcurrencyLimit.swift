import Synchronization

/// At most `limit` bodies running at once; the others wait in arrival order,
/// suspended rather than polling, and a cancelled waiter leaves the line at
/// once with `CancellationError`.
///
/// `Sendable` because its count and line of waiters sit behind a `Mutex`.
final class ConcurrencyLimit: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    /// Creates a limit of `limit` bodies at once; at least 1.
    init(limit: Int) {
        self.state = Mutex(State(available: max(1, limit)))
    }

    /// Runs `body` once a place is free, and frees it afterwards.
    ///
    /// - Throws: `CancellationError` if the task is cancelled while waiting;
    ///   otherwise what `body` throws.
    func run<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        try await self.acquire()
        defer { self.release() }
        return try await body()
    }

    private func acquire() async throws {
        let id: UInt64? = self.state.withLock { state in
            if state.available > 0 {
                state.available -= 1
                return nil
            }
            state.nextID += 1
            return state.nextID
        }
        guard let id else { return }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Decided under the lock that the cancellation handler and release also take:
                // a place freed since the first look is taken here, and a cancellation either
                // came before (the task is already marked) or will find this waiter.
                let admitted: Bool? = self.state.withLock { state in
                    if Task.isCancelled { return false }
                    if state.available > 0 {
                        state.available -= 1
                        return true
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                switch admitted {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { state in
                state.waiters.firstIndex { $0.id == id }.map { state.waiters.remove(at: $0) }
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }

    private func release() {
        let next: Waiter? = self.state.withLock { state in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            // The place passes straight to the first waiter, so a newcomer cannot jump the line.
            return state.waiters.removeFirst()
        }
        next?.continuation.resume()
    }
}
