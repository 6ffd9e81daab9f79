import NIOCore
import Synchronization

/// An unbounded queue from any number of producers to one consumer task:
/// the dispatcher's run loop, a relay's jobs.
///
/// It replaces `AsyncStream` on the path every update takes: the standard
/// library's stream is generic code the optimizer cannot specialize from
/// here, and looked its types' metadata up on every element (about 6,000
/// instructions per yield and more per read, under callgrind). This one is
/// specialized where it is used: a lock, a ring buffer and a continuation.
final class HandoffQueue<Element: Sendable>: AsyncSequence, Sendable {
    private struct State {
        var buffer = CircularBuffer<Element>()
        var waiter: UnsafeContinuation<Element?, Never>?
        var isFinished = false
    }

    private let state = Mutex(State())

    init() {}

    /// Queues `element` for the consumer; false once the queue is finished
    /// (the element is dropped).
    @discardableResult
    func yield(_ element: Element) -> Bool {
        let outcome: Yielded = self.state.withLock { state in
            if state.isFinished { return .dropped }
            guard let waiter = state.waiter else {
                state.buffer.append(element)
                return .queued
            }
            state.waiter = nil
            return .handed(waiter)
        }
        switch outcome {
        case .dropped:
            return false
        case .queued:
            return true
        case .handed(let waiter):
            waiter.resume(returning: element)
            return true
        }
    }

    private enum Yielded {
        case dropped
        case queued
        case handed(UnsafeContinuation<Element?, Never>)
    }

    /// Takes nothing more; the consumer still reads what was queued, then nil.
    func finish() {
        let waiter = self.state.withLock { state in
            state.isFinished = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The next element, waiting for one; nil once the queue is finished and
    /// read, or when the consumer is cancelled (which finishes the queue and
    /// drops what it holds, as an `AsyncStream` does).
    fileprivate func next() async -> Element? {
        await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Element?, Never>) in
                let now: Element?? = self.state.withLock { state in
                    if Task.isCancelled {
                        state.isFinished = true
                        return .some(nil)
                    }
                    if let element = state.buffer.popFirst() { return .some(element) }
                    if state.isFinished { return .some(nil) }
                    state.waiter = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            self.finish()
        }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate let queue: HandoffQueue

        mutating func next() async -> Element? {
            await self.queue.next()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(queue: self)
    }
}
