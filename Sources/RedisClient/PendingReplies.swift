import NIOCore
import Synchronization

/// The state one connection shares between the tasks that send commands and
/// the event loop that reads replies: bytes not yet written, and the waiters
/// for replies in the order their commands were written.
///
/// Commands append under one lock, so the byte order on the wire and the
/// waiter order always agree; that is what lets replies be matched FIFO.
final class PendingReplies: Sendable {
    /// Who receives a reply.
    enum Waiter: Sendable {
        case single(CheckedContinuation<RedisValue, any Error>)
        case batch(BatchCollector)
        case promise(EventLoopPromise<RedisValue>)
    }

    struct Entry: Sendable {
        var waiter: Waiter
        var deadline: NIODeadline
    }

    enum EnqueueOutcome {
        case queued
        /// The caller must schedule ``takeOutbound()`` on the event loop.
        case queuedNeedsDrain
        case failed(RedisError)
    }

    enum TimeoutCheck {
        case idle
        case rearm(NIODeadline)
        case timedOut
    }

    private struct State {
        var outbound: ByteBuffer
        var entries = CircularBuffer<Entry>(initialCapacity: 64)
        var drainScheduled = false
        var timerArmed = false
        var failure: RedisError?
    }

    private let state: Mutex<State>
    private let onClose: @Sendable () -> Void

    init(allocator: ByteBufferAllocator, onClose: @escaping @Sendable () -> Void) {
        self.state = Mutex(State(outbound: allocator.buffer(capacity: 0)))
        self.onClose = onClose
    }

    /// Appends the commands' bytes (encoded straight into the outbound
    /// buffer) and the entry waiting for their replies, atomically.
    func enqueue(_ commands: some Sequence<[RedisArgument]>, entry: Entry) -> EnqueueOutcome {
        state.withLock { state in
            if let failure = state.failure { return .failed(failure) }
            for command in commands {
                RESPEncoder.encode(command, into: &state.outbound)
            }
            state.entries.append(entry)
            if state.drainScheduled { return .queued }
            state.drainScheduled = true
            return .queuedNeedsDrain
        }
    }

    /// Takes the bytes to write; on the event loop. Also says whether the
    /// timeout timer must be armed, and for when.
    func takeOutbound() -> (bytes: ByteBuffer, armTimer: NIODeadline?)? {
        state.withLock { state in
            state.drainScheduled = false
            guard state.failure == nil, state.outbound.readableBytes > 0 else { return nil }
            let bytes = state.outbound
            // A fresh buffer rather than clear(): the channel still holds the old storage.
            state.outbound = ByteBufferAllocator().buffer(capacity: bytes.readableBytes)
            var arm: NIODeadline?
            if !state.timerArmed, let first = state.entries.first {
                state.timerArmed = true
                arm = first.deadline
            }
            return (bytes, arm)
        }
    }

    /// Hands decoded replies to their waiters in order. Returns `false` when a
    /// reply arrived that no command asked for.
    func deliver(_ values: [RedisValue]) -> Bool {
        var ready: [(Waiter, Result<RedisValue, RedisError>)] = []
        ready.reserveCapacity(values.count)
        let matched = state.withLock { state -> Bool in
            for value in values {
                guard let entry = state.entries.first else { return false }
                let result: Result<RedisValue, RedisError> =
                    if case .error(let message) = value {
                        .failure(RedisError(code: .server, message: message))
                    } else {
                        .success(value)
                    }
                if case .batch(let collector) = entry.waiter {
                    if collector.append(result) {
                        state.entries.removeFirst()
                        ready.append((entry.waiter, result))
                    }
                } else {
                    state.entries.removeFirst()
                    ready.append((entry.waiter, result))
                }
            }
            return true
        }
        for (waiter, result) in ready {
            Self.resume(waiter, with: result)
        }
        return matched
    }

    /// Decides what the timeout timer does when it fires; on the event loop.
    func checkTimeout(now: NIODeadline) -> TimeoutCheck {
        state.withLock { state in
            guard state.failure == nil, let first = state.entries.first else {
                state.timerArmed = false
                return .idle
            }
            if first.deadline <= now { return .timedOut }
            return .rearm(first.deadline)
        }
    }

    /// Fails every waiter with `error` and refuses new commands. Only the
    /// first call has an effect.
    func close(with error: RedisError) {
        let entries: CircularBuffer<Entry>? = state.withLock { state in
            guard state.failure == nil else { return nil }
            state.failure = error
            let entries = state.entries
            state.entries.removeAll()
            state.outbound.clear()
            return entries
        }
        guard let entries else { return }
        for entry in entries {
            Self.resume(entry.waiter, with: .failure(error))
        }
        onClose()
    }

    var isClosed: Bool {
        state.withLock { $0.failure != nil }
    }

    private static func resume(_ waiter: Waiter, with result: Result<RedisValue, RedisError>) {
        switch waiter {
        case .single(let continuation):
            continuation.resume(with: result.mapError { $0 as any Error })
        case .batch(let collector):
            collector.finish(with: result)
        case .promise(let promise):
            promise.completeWith(result.mapError { $0 as any Error })
        }
    }
}

/// Collects the replies of a pipeline sent as one unit.
///
/// `@unchecked Sendable`: `results` is touched only under the lock of the
/// ``PendingReplies`` that holds this collector, or after it left that queue.
final class BatchCollector: @unchecked Sendable {
    private let expected: Int
    private var results: [Result<RedisValue, RedisError>] = []
    private let continuation: CheckedContinuation<[Result<RedisValue, RedisError>], any Error>

    init(expected: Int, continuation: CheckedContinuation<[Result<RedisValue, RedisError>], any Error>) {
        self.expected = expected
        self.continuation = continuation
        results.reserveCapacity(expected)
    }

    /// Adds one reply; `true` when the batch is complete.
    func append(_ result: Result<RedisValue, RedisError>) -> Bool {
        results.append(result)
        return results.count == expected
    }

    /// Resumes the waiting task: with every reply once complete, else with the
    /// connection's failure.
    func finish(with last: Result<RedisValue, RedisError>) {
        if results.count == expected {
            continuation.resume(returning: results)
        } else if case .failure(let error) = last {
            continuation.resume(throwing: error)
        } else {
            continuation.resume(throwing: RedisError(code: .protocolError, message: "a pipeline ended early"))
        }
    }
}
