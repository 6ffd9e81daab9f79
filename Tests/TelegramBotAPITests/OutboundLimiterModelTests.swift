import GatewayTestSupport
import Testing

@testable import TelegramBotAPI

/// The limiter against a model that decides by looking at every chat each
/// time, as the limiter did before it kept chats in heaps: thousands of
/// random enqueues, sends, outcomes and pauses must get the same answers.
@Suite("Outbound limiter against a scanning model")
struct OutboundLimiterModelTests {
    typealias Limiter = OutboundLimiter<Int>
    typealias Instant = ContinuousClock.Instant

    /// The model: every decision from a scan of all chats, on the clock's
    /// own instants (the limiter keeps moments of its own).
    struct Model {
        /// GCRA as the limiter's buckets describe it.
        struct Bucket {
            let interval: Duration
            let tolerance: Duration
            var theoreticalArrival: Instant?

            init(_ limit: OutboundRateLimit) {
                self.interval = limit.interval
                self.tolerance = limit.interval * (limit.burst - 1)
            }

            var earliestSend: Instant? { theoreticalArrival.map { $0 - tolerance } }

            mutating func record(at now: Instant) {
                theoreticalArrival = max(theoreticalArrival ?? now, now) + interval
            }
        }

        struct Lane {
            var queue: [Limiter.Job] = []
            var bucket: Bucket
            var pausedUntil: Instant?
            var isBusy = false
        }

        let configuration: Limiter.Configuration
        var lanes: [Int64: Lane] = [:]
        var unlimited: [Limiter.Job] = []
        var inFlight: [Limiter.Job.ID: Limiter.Job] = [:]
        /// When each job waiting out a retry or a pause may go.
        var notBefore: [Limiter.Job.ID: Instant] = [:]
        var botBucket: Bucket
        var botPausedUntil: Instant?
        var priorityPausedUntil: [Limiter.Priority: Instant] = [:]

        init(configuration: Limiter.Configuration) {
            self.configuration = configuration
            self.botBucket = Bucket(configuration.botLimit)
        }

        static func latest(_ now: Instant, _ instants: [Instant?]) -> Instant {
            instants.compactMap { $0 }.reduce(now, max)
        }

        mutating func enqueue(_ job: Limiter.Job) {
            switch job.destination {
            case .chat(let id, let kind):
                let limit = kind == .privateChat ? self.configuration.privateChatLimit : self.configuration.groupChatLimit
                self.lanes[id, default: Lane(bucket: Bucket(limit))].queue.append(job)
            case .notChatLimited:
                self.unlimited.append(job)
            }
        }

        /// The job id sent, the instant waited for, or nil for idle.
        mutating func next(now: Instant) -> (sent: Limiter.Job.ID?, wait: Instant?) {
            self.priorityPausedUntil = self.priorityPausedUntil.filter { $0.value > now }
            if let pause = self.botPausedUntil, pause <= now { self.botPausedUntil = nil }
            var best: (priority: Limiter.Priority, id: Limiter.Job.ID, chat: Int64?, index: Int)?
            var earliest: Instant?
            func consider(_ readyAt: Instant, _ priority: Limiter.Priority, _ id: Limiter.Job.ID, _ chat: Int64?, _ index: Int) {
                let readyAt = self.priorityPausedUntil[priority].map { max($0, readyAt) } ?? readyAt
                earliest = min(earliest ?? readyAt, readyAt)
                guard readyAt <= now else { return }
                if let current = best, current.priority > priority || (current.priority == priority && current.id < id) { return }
                best = (priority, id, chat, index)
            }
            for (chat, lane) in self.lanes where !lane.isBusy && !lane.queue.isEmpty {
                let readyAt = Self.latest(now, [lane.pausedUntil, self.notBefore[lane.queue[0].id], lane.bucket.earliestSend])
                let urgent = lane.queue.enumerated().max { a, b in
                    a.element.priority != b.element.priority ? a.element.priority < b.element.priority : a.element.id > b.element.id
                }!.element
                consider(readyAt, urgent.priority, urgent.id, chat, 0)
            }
            for (index, job) in self.unlimited.enumerated() {
                consider(Self.latest(now, [self.notBefore[job.id]]), job.priority, job.id, nil, index)
            }
            guard let earliest else { return (nil, nil) }
            let botReadyAt = Self.latest(now, [self.botPausedUntil, self.botBucket.earliestSend])
            guard let best, botReadyAt <= now else { return (nil, max(earliest, botReadyAt)) }
            var job: Limiter.Job
            if let chat = best.chat {
                job = self.lanes[chat]!.queue.removeFirst()
                self.lanes[chat]!.isBusy = true
                self.lanes[chat]!.bucket.record(at: now)
            } else {
                job = self.unlimited.remove(at: best.index)
            }
            self.botBucket.record(at: now)
            job.attempts += 1
            self.notBefore[job.id] = nil
            self.inFlight[job.id] = job
            return (job.id, nil)
        }

        mutating func completed(_ id: Limiter.Job.ID, outcome: Limiter.Outcome, now: Instant) {
            guard var job = self.inFlight.removeValue(forKey: id) else { return }
            var chat: Int64?
            if case .chat(let chatID, _) = job.destination {
                chat = chatID
                self.lanes[chatID]?.isBusy = false
            }
            func hold(until notBefore: Instant) {
                if let chat {
                    let pause = self.lanes[chat]?.pausedUntil
                    self.lanes[chat]?.pausedUntil = max(pause ?? notBefore, notBefore)
                } else {
                    self.notBefore[job.id] = notBefore
                }
            }
            switch outcome {
            case .success, .permanentFailure:
                return
            case .transientFailure:
                job.transientFailures += 1
                guard job.transientFailures <= self.configuration.retry.maximumRetries else { return }
                self.notBefore[job.id] = now + self.configuration.retry.backoff(beforeRetry: job.transientFailures)
            case .rateLimited(let retryAfter, let scope):
                if scope == .bot {
                    self.botPausedUntil = max(self.botPausedUntil ?? now + retryAfter, now + retryAfter)
                } else {
                    hold(until: now + retryAfter)
                }
            case .deferred(let wait, let scope):
                job.attempts -= 1
                if scope == .bot {
                    for priority in Limiter.Priority.allCases where priority <= job.priority {
                        self.priorityPausedUntil[priority] = max(self.priorityPausedUntil[priority] ?? now + wait, now + wait)
                    }
                } else {
                    hold(until: now + wait)
                }
            }
            if let chat {
                self.lanes[chat]?.queue.insert(job, at: 0)
            } else {
                let index = self.unlimited.firstIndex { $0.id > job.id } ?? self.unlimited.endIndex
                self.unlimited.insert(job, at: index)
            }
        }
    }

    @Test("10,000 random steps over 40 chats: every send and every wait the same as the scanning model's", arguments: [1, 2, 3, 4, 5] as [UInt64])
    func sameDecisions(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let configuration = Limiter.Configuration()
        var limiter = Limiter(configuration: configuration)
        var model = Model(configuration: configuration)
        var now = ContinuousClock.now
        var inFlight: [Limiter.Job.ID] = []
        let priorities = Limiter.Priority.allCases
        for step in 0..<10_000 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                // A chat keeps its kind: odd ids are groups.
                let chat = Int64.random(in: 1...40, using: &random)
                let destination: Limiter.Destination =
                    Int.random(in: 0..<8, using: &random) == 0 ? .notChatLimited : .chat(id: chat, kind: chat % 2 == 1 ? .groupChat : .privateChat)
                let priority = priorities.randomElement(using: &random)!
                let id = limiter.enqueue(step, to: destination, priority: priority, now: now)
                var job = Limiter.Job(id: id, destination: destination, priority: priority, payload: step)
                job.attempts = 0
                model.enqueue(job)
            case 4..<7:
                let expected = model.next(now: now)
                switch limiter.nextAction(now: now) {
                case .send(let job):
                    #expect(expected.sent == job.id, "step \(step): sent \(job.id)")
                    inFlight.append(job.id)
                case .wait(let until):
                    #expect(expected.sent == nil && expected.wait == until, "step \(step): waits until \(until)")
                case .idle:
                    #expect(expected.sent == nil && expected.wait == nil, "step \(step): idle")
                }
            case 7..<9 where !inFlight.isEmpty:
                let id = inFlight.remove(at: Int.random(in: 0..<inFlight.count, using: &random))
                let outcomes: [Limiter.Outcome] = [
                    .success, .success, .success, .success, .transientFailure, .permanentFailure,
                    .rateLimited(retryAfter: .seconds(Int.random(in: 1...5, using: &random)), scope: Bool.random(using: &random) ? .chat : .bot),
                    .deferred(wait: .milliseconds(Int.random(in: 10...2000, using: &random)), scope: Bool.random(using: &random) ? .chat : .bot),
                ]
                let outcome = outcomes.randomElement(using: &random)!
                _ = limiter.completed(id, outcome: outcome, now: now)
                model.completed(id, outcome: outcome, now: now)
            case 9 where Int.random(in: 0..<20, using: &random) == 0:
                // The user blocked the bot: the chat's queued jobs go.
                let chat = Int64.random(in: 1...40, using: &random)
                let removed = limiter.removeQueuedJobs(forChat: chat).map(\.id)
                #expect(removed == (model.lanes[chat]?.queue ?? []).map(\.id))
                model.lanes[chat]?.queue = []
            default:
                now = now.advanced(by: .milliseconds(Int.random(in: 0...700, using: &random)))
            }
        }
    }
}
