import HeapModule

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
/// Chats with work wait in two heaps: those that may send now, by urgency,
/// and those held by their limit or a pause, by when that ends. A chat is
/// filed again whenever it changes (stale entries are skipped), so
/// ``nextAction(now:)`` costs a logarithm of the chats waiting, not a look
/// at each of them: with hundreds of chats queued behind the concurrency
/// cap, the scan it replaced was a twentieth of the gateway's CPU.
public struct OutboundLimiter<Payload: Sendable>: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public let configuration: Configuration
    /// Set from the first instant given; every instant inside is a ``Moment``.
    private var scale: MomentScale?
    private var nextID: UInt64 = 0
    private var botBucket: TokenBucket
    private var botPausedUntil: Moment?
    /// Set by a ``Outcome/deferred(wait:scope:)`` of the bot's scope: jobs of
    /// a priority wait until then, so more urgent ones still go meanwhile.
    private var priorityPausedUntil: [Priority: Moment] = [:]
    private var chats: [Int64: ChatLane] = [:]
    /// Chats that may send now as far as they are concerned, most urgent on top.
    private var readyChats = Heap<ReadyEntry>()
    /// Chats with work held by their limit or a pause, soonest on top.
    private var heldChats = Heap<HeldEntry>()
    /// Stamps every filing: an entry counts only while its chat still has its stamp.
    private var nextStamp: UInt64 = 0
    /// When idle chats are forgotten next; once a second is enough.
    private var nextForgetting: Moment?
    /// Calls with no chat limit that may go now, most urgent on top.
    private var unlimitedReady = Heap<UnlimitedJob>()
    /// Calls with no chat limit waiting out a retry, soonest on top.
    private var unlimitedHeld = Heap<HeldJob>()
    private var inFlight: [Job.ID: Job] = [:]

    /// One chat's queue and limits.
    private struct ChatLane: Sendable {
        var queue: [Job] = []
        var bucket: TokenBucket
        var pausedUntil: Moment?
        var isBusy = false
        /// The stamp of the chat's current entry in a heap.
        var stamp: UInt64 = 0

        /// When the head job may go as far as this chat is concerned, nil if
        /// at any time (the caller checks that something can go at all).
        var heldUntil: Moment? {
            latestSet(pausedUntil, queue.first?.notBefore, bucket.earliestSend)
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

        func isForgettable(at now: Moment) -> Bool {
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
        unlimitedReady.count + unlimitedHeld.count + chats.values.reduce(0) { $0 + $1.queue.count }
    }

    /// Jobs handed out by ``nextAction(now:)`` and not yet completed.
    public var inFlightJobCount: Int { inFlight.count }

    /// Queues a call and returns its id.
    @discardableResult
    public mutating func enqueue(_ payload: Payload, to destination: Destination, priority: Priority, now: Instant) -> Job.ID {
        let now = moment(now)
        nextID += 1
        let job = Job(id: Job.ID(rawValue: nextID), destination: destination, priority: priority, payload: payload)
        switch destination {
        case .chat(let chatID, let kind):
            let bucket = TokenBucket(limit(for: kind))
            chats[chatID, default: ChatLane(bucket: bucket)].queue.append(job)
            file(chatID, now: now)
        case .notChatLimited:
            unlimitedReady.insert(UnlimitedJob(job: job))
        }
        return job.id
    }

    /// Removes the jobs still queued for a chat (for instance after a 403 says
    /// the user blocked the bot) and returns them; a job in flight stays.
    public mutating func removeQueuedJobs(forChat chatID: Int64) -> [Job] {
        guard let removed = chats[chatID]?.queue, !removed.isEmpty else { return [] }
        chats[chatID]?.queue = []
        file(chatID)
        return removed
    }

    /// The next thing the sender should do. A `.send` marks the job in flight
    /// and takes its tokens.
    public mutating func nextAction(now: Instant) -> Action {
        let now = moment(now)
        forgetIdleChats(at: now)
        let botReadyAt = latest(now, botPausedUntil, botBucket.earliestSend)
        self.releaseHeldChats(now: now)

        var best: (priority: Priority, id: Job.ID, chatID: Int64?)?
        var earliest: Moment?
        let priorityPauses = priorityPausedUntil
        func consider(readyAt: Moment, priority: Priority, id: Job.ID, chatID: Int64?) {
            let readyAt = priorityPauses[priority].map { max($0, readyAt) } ?? readyAt
            earliest = min(earliest ?? readyAt, readyAt)
            guard readyAt <= now else { return }
            if let current = best, Self.goesAfter(priority, id, current.priority, current.id) {
                return
            }
            best = (priority, id, chatID)
        }
        // The most urgent ready chat and call are the only ones worth a look:
        // a pause of their priority holds every less urgent one at least as long.
        if let top = readyChats.max {
            consider(readyAt: now, priority: top.priority, id: top.id, chatID: top.chatID)
        }
        if let top = unlimitedReady.max {
            consider(readyAt: now, priority: top.job.priority, id: top.job.id, chatID: nil)
        }
        // Of the held, the soonest; all of them only while a priority is paused (rare).
        if priorityPauses.isEmpty {
            if let until = heldChats.min?.until { earliest = min(earliest ?? until, until) }
            if let until = unlimitedHeld.min?.notBefore { earliest = min(earliest ?? until, until) }
        } else {
            for held in heldChats.unordered where chats[held.chatID]?.stamp == held.stamp {
                consider(readyAt: held.until, priority: held.priority, id: held.id, chatID: held.chatID)
            }
            for held in unlimitedHeld.unordered {
                consider(readyAt: held.notBefore, priority: held.job.priority, id: held.job.id, chatID: nil)
            }
        }

        guard let earliest else { return .idle }
        guard let best, botReadyAt <= now else {
            return .wait(until: instant(max(earliest, botReadyAt)))
        }
        var job: Job
        if let chatID = best.chatID {
            readyChats.removeMax()
            job = chats[chatID]!.queue.removeFirst()
            chats[chatID]!.isBusy = true
            chats[chatID]!.bucket.record(at: now)
            file(chatID, now: now)
        } else {
            job = unlimitedReady.removeMax().job
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
        let now = moment(now)
        guard var job = inFlight.removeValue(forKey: id) else { return nil }
        let chatID: Int64?
        if case .chat(let id, _) = job.destination {
            chatID = id
            chats[id]?.isBusy = false
        } else {
            chatID = nil
        }
        // The chat may send again (its next job, or this one retried).
        defer {
            if let chatID { file(chatID, now: now) }
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
            return .willRetry(job, notBefore: instant(notBefore))
        case .rateLimited(let retryAfter, let scope):
            let notBefore = now + retryAfter
            if scope == .bot {
                botPausedUntil = max(botPausedUntil ?? notBefore, notBefore)
            } else {
                hold(&job, chatID: chatID, until: notBefore)
            }
            requeueAtHead(job, chatID: chatID)
            return .willRetry(job, notBefore: instant(notBefore))
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
            return .willRetry(job, notBefore: instant(notBefore))
        }
    }

    /// Pauses the job's chat until `notBefore`; a job without a chat waits alone.
    private mutating func hold(_ job: inout Job, chatID: Int64?, until notBefore: Moment) {
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
        } else {
            // Enqueue order among calls with no chat limit is the heaps' order.
            if let notBefore = job.notBefore {
                unlimitedHeld.insert(HeldJob(notBefore: notBefore, job: job))
            } else {
                unlimitedReady.insert(UnlimitedJob(job: job))
            }
        }
    }

    /// Whether a job of priority `priority` enqueued as `id` goes after one of
    /// `otherPriority` enqueued as `otherID`: the higher priority goes first,
    /// then the job enqueued first. The one order of urgency, for the heaps
    /// and for the choice between a ready chat and a ready call.
    private static func goesAfter(_ priority: Priority, _ id: Job.ID, _ otherPriority: Priority, _ otherID: Job.ID) -> Bool {
        priority != otherPriority ? priority < otherPriority : id > otherID
    }

    /// A chat that may send now, as the heap of ready chats orders it: higher
    /// priority first, then the job enqueued first.
    private struct ReadyEntry: Comparable {
        let priority: Priority
        let id: Job.ID
        let chatID: Int64
        let stamp: UInt64

        static func < (lhs: Self, rhs: Self) -> Bool {
            OutboundLimiter.goesAfter(lhs.priority, lhs.id, rhs.priority, rhs.id)
        }

        static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.priority == rhs.priority && lhs.id == rhs.id
        }
    }

    /// A chat with work held until `until` by its limit or a pause.
    private struct HeldEntry: Comparable {
        let until: Moment
        let priority: Priority
        let id: Job.ID
        let chatID: Int64
        let stamp: UInt64

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.until < rhs.until }
        static func == (lhs: Self, rhs: Self) -> Bool { lhs.until == rhs.until }
    }

    /// A call with no chat limit that may go now, ordered as ``ReadyEntry``.
    private struct UnlimitedJob: Comparable {
        let job: Job

        static func < (lhs: Self, rhs: Self) -> Bool {
            OutboundLimiter.goesAfter(lhs.job.priority, lhs.job.id, rhs.job.priority, rhs.job.id)
        }

        static func == (lhs: Self, rhs: Self) -> Bool { lhs.job.id == rhs.job.id }
    }

    /// A call with no chat limit waiting until `notBefore`.
    private struct HeldJob: Comparable {
        let notBefore: Moment
        let job: Job

        static func < (lhs: Self, rhs: Self) -> Bool { lhs.notBefore < rhs.notBefore }
        static func == (lhs: Self, rhs: Self) -> Bool { lhs.notBefore == rhs.notBefore }
    }

    /// Files `chatID` anew after it changed: in the ready heap if it may
    /// send at `now` as far as it is concerned, in the held heap if it waits
    /// for a later instant (or `now` is not known), in neither when it is
    /// empty or busy. Earlier entries of the chat go stale.
    private mutating func file(_ chatID: Int64, now: Moment? = nil) {
        guard chats[chatID] != nil else { return }
        nextStamp &+= 1
        let stamp = nextStamp
        chats[chatID]!.stamp = stamp
        guard !chats[chatID]!.isBusy, let urgency = chats[chatID]!.urgency else { return }
        if let until = chats[chatID]!.heldUntil, now.map({ until > $0 }) ?? true {
            heldChats.insert(HeldEntry(until: until, priority: urgency.priority, id: urgency.id, chatID: chatID, stamp: stamp))
        } else {
            readyChats.insert(ReadyEntry(priority: urgency.priority, id: urgency.id, chatID: chatID, stamp: stamp))
        }
        // Stale entries leave when they reach the top; should churn pile them
        // up below it, filing every chat afresh bounds them.
        if readyChats.count + heldChats.count > 4 * chats.count + 64 {
            readyChats = Heap()
            heldChats = Heap()
            for chat in Array(chats.keys) { file(chat) }
        }
    }

    /// Moves the held chats and calls whose wait is over to the ready heaps,
    /// and drops stale entries from the chats' tops.
    private mutating func releaseHeldChats(now: Moment) {
        while let soonest = heldChats.min, soonest.until <= now || chats[soonest.chatID]?.stamp != soonest.stamp {
            heldChats.removeMin()
            guard chats[soonest.chatID]?.stamp == soonest.stamp else { continue }
            readyChats.insert(ReadyEntry(priority: soonest.priority, id: soonest.id, chatID: soonest.chatID, stamp: soonest.stamp))
        }
        while let top = readyChats.max, chats[top.chatID]?.stamp != top.stamp {
            readyChats.removeMax()
        }
        while let soonest = unlimitedHeld.min, soonest.notBefore <= now {
            unlimitedHeld.removeMin()
            unlimitedReady.insert(UnlimitedJob(job: soonest.job))
        }
    }

    /// Drops chats with nothing queued or in flight whose bucket is full again
    /// and whose pause is over: remembering them would change nothing.
    private mutating func forgetIdleChats(at now: Moment) {
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

    /// The moment of `instant`; the first instant given becomes the origin.
    private mutating func moment(_ instant: Instant) -> Moment {
        guard let scale else {
            scale = MomentScale(origin: instant)
            return Moment(attoseconds: 0)
        }
        return scale.moment(instant)
    }

    /// The instant of `moment`, which came from an instant already given.
    private func instant(_ moment: Moment) -> Instant {
        scale!.instant(moment)
    }
}

/// The latest of `now` and the moments that are set: when every constraint
/// is met. Fixed arity: a variadic list allocated an array on every call.
private func latest(_ now: Moment, _ a: Moment?, _ b: Moment? = nil) -> Moment {
    max(now, latestSet(a, b, nil) ?? now)
}

/// The latest of the moments that are set; nil if none is.
private func latestSet(_ a: Moment?, _ b: Moment?, _ c: Moment?) -> Moment? {
    func later(_ x: Moment?, _ y: Moment?) -> Moment? {
        guard let x else { return y }
        guard let y else { return x }
        return max(x, y)
    }
    return later(later(a, b), c)
}
