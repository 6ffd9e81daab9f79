/// Decides when each queued outbound Bot API call may be sent within
/// Telegram's limits: a value-type state machine with no I/O and no clock of
/// its own; the caller passes `now` to every method.
///
/// A driver owns one limiter (behind an actor or a lock) and loops:
/// ``nextAction(now:)`` says `.send(job)`, `.wait(until:)` or `.idle`; each
/// sent job is reported with ``completed(_:outcome:now:)``.
///
/// How it decides:
/// - **Limits** are token buckets in GCRA form (see ``OutboundRateLimit``):
///   one for the bot, one per chat (private or group limits). A send takes a
///   token from the bot's bucket and, for a chat message, the chat's.
/// - **Order within a chat is strict FIFO**, whatever the priorities, through
///   rate limits and retries: only the head of a chat's queue can be sent, and
///   at most one job per chat is in flight. A chat competes with the priority
///   of the most urgent job it holds, so an interactive reply queued behind a
///   bulk message to the same chat lifts that chat ahead of other bulk work
///   (priority inheritance) rather than overtaking its own chat's earlier message.
/// - **Across chats**, the ready chat with the most urgent job goes first; ties
///   go to the job enqueued first.
/// - **Calls without a chat limit** (``Destination/notChatLimited``) skip the
///   chat queues entirely and count only against the bot's bucket.
/// - **A 429** pauses what its scope names: the chat, or the whole bot.
/// - **5xx and network errors** retry with exponential backoff, the job staying
///   at the head of its chat's queue; permanent errors drop the job.
///
/// Each ``nextAction(now:)`` looks at every chat with queued work, so its cost
/// grows with the number of such chats; at Telegram's 30 sends per second this
/// stays small even for broadcasts to many thousands of chats.
public struct OutboundLimiter<Payload: Sendable>: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public let configuration: Configuration
    private var nextID: UInt64 = 0
    private var botBucket: TokenBucket
    private var botPausedUntil: Instant?
    /// Set by a ``Outcome/deferred(wait:scope:)`` of the bot's scope: jobs of
    /// a priority wait until then, so more urgent ones still go meanwhile.
    private var priorityPausedUntil: [Priority: Instant] = [:]
    private var chats: [Int64: ChatLane] = [:]
    /// The chats whose queue holds jobs: the only ones worth a look.
    private var waiting: Set<Int64> = []
    /// When idle chats are forgotten next; once a second is enough.
    private var nextForgetting: Instant?
    /// Calls with no chat limit, in enqueue order.
    private var unlimited: [Job] = []
    private var inFlight: [Job.ID: Job] = [:]

    /// One chat's queue and limits.
    private struct ChatLane: Sendable {
        var queue: [Job] = []
        var bucket: TokenBucket
        var pausedUntil: Instant?
        var isBusy = false

        /// When the head job may go as far as this chat is concerned (`now` if
        /// already); nil if nothing can go (empty or in flight).
        func readyAt(now: Instant) -> Instant? {
            guard !isBusy, !queue.isEmpty else { return nil }
            return latest(now, pausedUntil, queue[0].notBefore, bucket.earliestSend)
        }

        /// The most urgent priority queued, and the first job holding it.
        /// Reads the fields in place: copying whole jobs showed in profiles.
        var urgency: (priority: Priority, id: Job.ID)? {
            var best: (priority: Priority, id: Job.ID)?
            for index in queue.indices {
                let priority = queue[index].priority
                if best.map({ priority > $0.priority }) ?? true {
                    best = (priority, queue[index].id)
                }
            }
            return best
        }

        func isForgettable(at now: Instant) -> Bool {
            queue.isEmpty && !isBusy && bucket.isFull(at: now) && (pausedUntil.map { $0 <= now } ?? true)
        }
    }

    /// Creates an empty limiter.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.botBucket = TokenBucket(configuration.botLimit)
    }

    /// Jobs waiting to be sent, retries included.
    public var queuedJobCount: Int {
        unlimited.count + chats.values.reduce(0) { $0 + $1.queue.count }
    }

    /// Jobs handed out by ``nextAction(now:)`` and not yet completed.
    public var inFlightJobCount: Int { inFlight.count }

    /// Queues a call and returns its id.
    @discardableResult
    public mutating func enqueue(_ payload: Payload, to destination: Destination, priority: Priority, now: Instant) -> Job.ID {
        nextID += 1
        let job = Job(id: Job.ID(rawValue: nextID), destination: destination, priority: priority, payload: payload, enqueuedAt: now)
        switch destination {
        case .chat(let chatID, let kind):
            let bucket = TokenBucket(limit(for: kind))
            chats[chatID, default: ChatLane(bucket: bucket)].queue.append(job)
            waiting.insert(chatID)
        case .notChatLimited:
            unlimited.append(job)
        }
        return job.id
    }

    /// Removes the jobs still queued for a chat (for instance after a 403 says
    /// the user blocked the bot) and returns them; a job in flight stays.
    public mutating func removeQueuedJobs(forChat chatID: Int64) -> [Job] {
        guard let removed = chats[chatID]?.queue, !removed.isEmpty else { return [] }
        chats[chatID]?.queue = []
        waiting.remove(chatID)
        return removed
    }

    /// The next thing the sender should do. A `.send` marks the job in flight
    /// and takes its tokens.
    public mutating func nextAction(now: Instant) -> Action {
        forgetIdleChats(at: now)
        let botReadyAt = latest(now, botPausedUntil, botBucket.earliestSend)

        var best: (priority: Priority, id: Job.ID, chatID: Int64?, index: Int)?
        var earliest: Instant?
        let priorityPauses = priorityPausedUntil
        func consider(readyAt: Instant, priority: Priority, id: Job.ID, chatID: Int64?, index: Int) {
            let readyAt = priorityPauses[priority].map { max($0, readyAt) } ?? readyAt
            earliest = min(earliest ?? readyAt, readyAt)
            guard readyAt <= now else { return }
            if let current = best, current.priority > priority || (current.priority == priority && current.id < id) {
                return
            }
            best = (priority, id, chatID, index)
        }
        for chatID in waiting {
            guard let lane = chats[chatID], let readyAt = lane.readyAt(now: now), let urgency = lane.urgency else { continue }
            consider(readyAt: readyAt, priority: urgency.priority, id: urgency.id, chatID: chatID, index: 0)
        }
        for index in unlimited.indices {
            consider(
                readyAt: latest(now, unlimited[index].notBefore),
                priority: unlimited[index].priority,
                id: unlimited[index].id,
                chatID: nil,
                index: index
            )
        }

        guard let earliest else { return .idle }
        guard let best, botReadyAt <= now else {
            return .wait(until: max(earliest, botReadyAt))
        }
        var job: Job
        if let chatID = best.chatID {
            job = chats[chatID]!.queue.removeFirst()
            if chats[chatID]!.queue.isEmpty {
                waiting.remove(chatID)
            }
            chats[chatID]!.isBusy = true
            chats[chatID]!.bucket.record(at: now)
        } else {
            job = unlimited.remove(at: best.index)
        }
        botBucket.record(at: now)
        job.attempts += 1
        job.notBefore = nil
        inFlight[job.id] = job
        return .send(job)
    }

    /// Records how a sent job ended and decides its fate. Returns nil if the
    /// job is not in flight (never sent, or already completed).
    public mutating func completed(_ id: Job.ID, outcome: Outcome, now: Instant) -> Completion? {
        guard var job = inFlight.removeValue(forKey: id) else { return nil }
        let chatID: Int64?
        if case .chat(let id, _) = job.destination {
            chatID = id
            chats[id]?.isBusy = false
        } else {
            chatID = nil
        }

        switch outcome {
        case .success:
            return .delivered(job)
        case .permanentFailure:
            return .failed(job, .permanent)
        case .transientFailure:
            job.transientFailures += 1
            guard job.transientFailures <= configuration.retry.maximumRetries else {
                return .failed(job, .retriesExhausted)
            }
            let notBefore = now + configuration.retry.backoff(beforeRetry: job.transientFailures)
            job.notBefore = notBefore
            requeueAtHead(job, chatID: chatID)
            return .willRetry(job, notBefore: notBefore)
        case .rateLimited(let retryAfter, let scope):
            let notBefore = now + retryAfter
            if scope == .bot {
                botPausedUntil = max(botPausedUntil ?? notBefore, notBefore)
            } else {
                hold(&job, chatID: chatID, until: notBefore)
            }
            requeueAtHead(job, chatID: chatID)
            return .willRetry(job, notBefore: notBefore)
        case .deferred(let wait, let scope):
            // Never sent: neither an attempt nor a retry.
            job.attempts -= 1
            let notBefore = now + wait
            if scope == .bot {
                for priority in Priority.allCases where priority <= job.priority {
                    priorityPausedUntil[priority] = max(priorityPausedUntil[priority] ?? notBefore, notBefore)
                }
            } else {
                hold(&job, chatID: chatID, until: notBefore)
            }
            requeueAtHead(job, chatID: chatID)
            return .willRetry(job, notBefore: notBefore)
        }
    }

    /// Pauses the job's chat until `notBefore`; a job without a chat waits alone.
    private mutating func hold(_ job: inout Job, chatID: Int64?, until notBefore: Instant) {
        if let chatID {
            let pause = chats[chatID]?.pausedUntil
            chats[chatID]?.pausedUntil = max(pause ?? notBefore, notBefore)
        } else {
            job.notBefore = notBefore
        }
    }

    private func limit(for kind: ChatKind) -> OutboundRateLimit {
        switch kind {
        case .privateChat: configuration.privateChatLimit
        case .groupChat: configuration.groupChatLimit
        }
    }

    private mutating func requeueAtHead(_ job: Job, chatID: Int64?) {
        if let chatID {
            // The lane outlives its in-flight job: it is forgotten only when idle.
            chats[chatID]?.queue.insert(job, at: 0)
            waiting.insert(chatID)
        } else {
            // Keep enqueue order among calls with no chat limit.
            let index = unlimited.firstIndex(where: { $0.id > job.id }) ?? unlimited.endIndex
            unlimited.insert(job, at: index)
        }
    }

    /// Drops chats with nothing queued or in flight whose bucket is full again
    /// and whose pause is over: remembering them would change nothing.
    private mutating func forgetIdleChats(at now: Instant) {
        if let pause = botPausedUntil, pause <= now {
            botPausedUntil = nil
        }
        if !priorityPausedUntil.isEmpty {
            priorityPausedUntil = priorityPausedUntil.filter { $0.value > now }
        }
        guard nextForgetting.map({ $0 <= now }) ?? true else { return }
        nextForgetting = now + .seconds(1)
        for (chatID, lane) in chats where lane.isForgettable(at: now) {
            chats[chatID] = nil
        }
    }
}

/// The latest of `now` and the instants that are set: when every constraint is met.
private func latest(_ now: ContinuousClock.Instant, _ constraints: ContinuousClock.Instant?...) -> ContinuousClock.Instant {
    constraints.reduce(now) { result, constraint in constraint.map { max(result, $0) } ?? result }
}
