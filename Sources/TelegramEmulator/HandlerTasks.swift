import NIOCore
import Synchronization

/// The request handlers a `LocalHTTPServer` is running, so shutdown can cancel and await them.
final class HandlerTasks: Sendable {
    private struct State {
        var nextID = 0
        var running: [Int: Task<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    /// Runs `handler` for `request` in a task of its own and completes `promise` with the response.
    func run(
        _ request: LocalHTTPServer.Request,
        with handler: @escaping LocalHTTPServer.Handler,
        completing promise: EventLoopPromise<LocalHTTPServer.Response>
    ) {
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            // Created under the lock, so the task's own removal always finds its entry.
            state.running[id] = Task {
                promise.succeed(await handler(request))
                self.state.withLock { _ = $0.running.removeValue(forKey: id) }
            }
        }
    }

    /// Cancels every running handler and waits until each has returned.
    func cancelAndWait() async {
        let tasks = state.withLock { Array($0.running.values) }
        for task in tasks {
            task.cancel()
        }
        for task in tasks {
            await task.value
        }
    }
}
