import Synchronization

/// A limit on the calls in flight to one service, so a slow service holds at
/// most `limit` of the gateway's calls and never all of its workers.
///
/// A call past the limit waits its turn (first come, first served), giving
/// up its ``WorkerSlot`` while it waits so the dispatcher can run other
/// conversations; past `maxWaiting` waiting calls it is refused at once.
public final class Bulkhead: Sendable {
    /// What ``acquire()`` throws when the queue is full too.
    public struct Full: Error, Sendable, Hashable {
        public let limit: Int
        public let waiting: Int
    }

    /// Calls in flight at most.
    public let limit: Int
    /// Calls waiting at most; more are refused.
    public let maxWaiting: Int

    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var inFlight = 0
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a bulkhead of `limit` calls (at least 1) with room for
    /// `maxWaiting` waiters (by default four per place).
    public init(limit: Int, maxWaiting: Int? = nil) {
        self.limit = max(1, limit)
        self.maxWaiting = max(0, maxWaiting ?? self.limit * 4)
    }

    /// Calls in flight now.
    public var inFlight: Int { self.state.withLock { $0.inFlight } }
    /// Calls waiting now.
    public var waiting: Int { self.state.withLock { $0.waiters.count } }

    /// Runs `body` holding a place.
    public func withPlace<Result: Sendable>(_ body: () async throws -> Result) async throws -> Result {
        try await self.acquire()
        defer { self.release() }
        return try await body()
    }

    /// Takes a place, waiting for one if need be.
    /// - Throws: ``Full`` when `maxWaiting` calls already wait;
    ///   `CancellationError` when the task is cancelled while waiting.
    public func acquire() async throws {
        enum Admission { case taken, full(Int), wait }
        let admission = self.state.withLock { state -> Admission in
            if state.inFlight < self.limit {
                state.inFlight += 1
                return .taken
            }
            return state.waiters.count >= self.maxWaiting ? .full(state.waiters.count) : .wait
        }
        switch admission {
        case .taken:
            return
        case .full(let waiting):
            throw Full(limit: self.limit, waiting: waiting)
        case .wait:
            WorkerSlot.current?.release()
            try await self.wait()
        }
    }

    /// Gives a place back, to the longest waiter if there is one.
    public func release() {
        let next = self.state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.waiters.isEmpty {
                state.inFlight -= 1
                return nil
            }
            // The place passes straight to the waiter: in flight stays the same.
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }

    private func wait() async throws {
        let id = self.state.withLock { state -> UInt64 in
            state.nextID &+= 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Next { case resume, cancel, wait }
                let next = self.state.withLock { state -> Next in
                    if Task.isCancelled { return .cancel }
                    // A place freed since acquire() looked.
                    if state.inFlight < self.limit {
                        state.inFlight += 1
                        return .resume
                    }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return .wait
                }
                switch next {
                case .resume: continuation.resume()
                case .cancel: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> CheckedContinuation<Void, any Error>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

/// The caller's place among a dispatcher's workers. A call that has to wait
/// for a busy service releases it (once), and the dispatcher starts another
/// worker, so conversations that do not need that service go on.
public final class WorkerSlot: Sendable {
    /// The slot of the step running in this task, if its dispatcher offers one.
    @TaskLocal public static var current: WorkerSlot?

    private let onRelease: @Sendable () -> Void
    private let released = Atomic(false)

    /// Creates a slot that calls `onRelease` when first released.
    public init(onRelease: @escaping @Sendable () -> Void) {
        self.onRelease = onRelease
    }

    /// Whether the step gave its worker up.
    public var isReleased: Bool { self.released.load(ordering: .acquiring) }

    /// Gives the worker up; later calls do nothing.
    public func release() {
        guard !self.released.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.onRelease()
    }
}

/// One ``Bulkhead`` per service name, shared by every client of that service
/// in one gateway, so `<NAME>_SERVICE_CONCURRENCY` holds across bots.
public final class ServiceBulkheads: Sendable {
    private let bulkheads = Mutex<[String: Bulkhead]>([:])

    /// Creates an empty registry.
    public init() {}

    /// The bulkhead of `service`, made with `limit` places on first use.
    public func bulkhead(for service: String, limit: Int) -> Bulkhead {
        self.bulkheads.withLock { bulkheads in
            if let known = bulkheads[service] { return known }
            let made = Bulkhead(limit: limit)
            bulkheads[service] = made
            return made
        }
    }
}
