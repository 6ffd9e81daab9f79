import TelegramBotAPI

/// The bookkeeping of ``InProcessDispatcher``: a bounded set of pending
/// deliveries, grouped so that one conversation's updates are handed out one
/// at a time and in arrival order, while different conversations go to
/// workers in parallel.
///
/// A value type with no locking of its own; the dispatcher keeps it in a mutex.
struct DispatchQueueState {
    /// Which deliveries must not overlap: a conversation of a bot, or (for an
    /// update without a conversation, such as an inline query) just itself.
    enum OrderKey: Hashable {
        case conversation(BotID, ConversationKey)
        case alone(UInt64)
    }

    /// A delivery handed to a worker, with the key to release when done.
    struct Job {
        var key: OrderKey
        var delivery: UpdateDelivery
    }

    enum AcceptResult {
        case queued
        /// A waiting worker takes the job at once.
        case handOver(CheckedContinuation<Job?, Never>, Job)
        case refused(UpdateSinkError)
    }

    enum NextResult {
        case job(Job)
        case finished
        case wait
    }

    let capacity: Int
    private var pending: [OrderKey: [UpdateDelivery]] = [:]
    /// Keys with pending deliveries and no worker on them, oldest first.
    private var ready: [OrderKey] = []
    private var busy: Set<OrderKey> = []
    private var waiters: [CheckedContinuation<Job?, Never>] = []
    private var nextAloneKey: UInt64 = 0
    private var closed = false
    /// Deliveries accepted and not yet finished, including those being handled.
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func accept(_ delivery: UpdateDelivery) -> AcceptResult {
        if self.closed {
            return .refused(UpdateSinkError(code: .closed, message: "the gateway is shutting down; retry later"))
        }
        if self.count >= self.capacity {
            return .refused(UpdateSinkError(
                code: .full,
                message: "the in-process queue holds \(self.capacity) updates; retry later"
            ))
        }
        self.count += 1
        let key: OrderKey
        if let conversation = delivery.update.conversationKey {
            key = .conversation(delivery.bot, conversation)
        } else {
            key = .alone(self.nextAloneKey)
            self.nextAloneKey &+= 1
        }
        if self.busy.contains(key) || self.pending[key] != nil {
            self.pending[key, default: []].append(delivery)
            return .queued
        }
        if !self.waiters.isEmpty {
            self.busy.insert(key)
            return .handOver(self.waiters.removeFirst(), Job(key: key, delivery: delivery))
        }
        self.pending[key] = [delivery]
        self.ready.append(key)
        return .queued
    }

    /// The next job for a worker, or whether it should wait or stop.
    mutating func next() -> NextResult {
        if !self.ready.isEmpty {
            let key = self.ready.removeFirst()
            return .job(self.take(key))
        }
        return self.closed && self.busy.isEmpty ? .finished : .wait
    }

    mutating func wait(_ continuation: CheckedContinuation<Job?, Never>) {
        self.waiters.append(continuation)
    }

    /// Releases `key` after its job and picks the finishing worker's next
    /// job, so a busy conversation keeps its worker instead of waking another.
    /// - Returns: The worker's next job, if any, and waiting workers to resume.
    mutating func finish(_ key: OrderKey) -> (next: Job?, resume: [(CheckedContinuation<Job?, Never>, Job?)]) {
        self.count -= 1
        self.busy.remove(key)
        if self.pending[key] != nil {
            // Other conversations waiting go first, round robin, so one
            // chatty chat cannot starve the rest when every worker is busy.
            if self.ready.isEmpty { return (self.take(key), []) }
            self.ready.append(key)
        }
        if !self.ready.isEmpty {
            return (self.take(self.ready.removeFirst()), [])
        }
        return (nil, self.releaseWaitersIfDone())
    }

    /// Stops taking deliveries; workers finish what is pending, then stop.
    mutating func close() -> [(CheckedContinuation<Job?, Never>, Job?)] {
        self.closed = true
        return self.releaseWaitersIfDone()
    }

    /// Drops everything pending and stops every waiting worker.
    /// - Returns: The workers to resume and the number of deliveries dropped.
    mutating func abandon() -> (resume: [(CheckedContinuation<Job?, Never>, Job?)], dropped: Int) {
        self.closed = true
        let dropped = self.pending.values.reduce(0) { $0 + $1.count }
        self.count -= dropped
        self.pending = [:]
        self.ready = []
        let waiters = self.waiters.map { ($0, Job?.none) }
        self.waiters = []
        return (waiters, dropped)
    }

    private mutating func take(_ key: OrderKey) -> Job {
        var queue = self.pending[key] ?? []
        let delivery = queue.removeFirst()
        self.pending[key] = queue.isEmpty ? nil : queue
        self.busy.insert(key)
        return Job(key: key, delivery: delivery)
    }

    private mutating func releaseWaitersIfDone() -> [(CheckedContinuation<Job?, Never>, Job?)] {
        guard self.closed, self.ready.isEmpty, self.busy.isEmpty else { return [] }
        let waiters = self.waiters.map { ($0, Job?.none) }
        self.waiters = []
        return waiters
    }
}
