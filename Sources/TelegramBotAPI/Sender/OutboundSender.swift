import Logging
import ServiceLifecycle
import Synchronization

/// Sends Bot API calls within Telegram's limits: the async driver of an
/// ``OutboundLimiter``.
///
/// Callers hand it calls with a priority, either awaiting the outcome with
/// ``send(_:priority:)`` or getting it through a callback with
/// ``submit(_:priority:onOutcome:)``. Each call's outcome is reported exactly
/// once: delivered, failed for good, or abandoned at shutdown.
///
/// ``run()`` owns the sends: a loop asks the limiter what to do next, sends as
/// child tasks of its task group (at most
/// ``Configuration/maximumConcurrentSends`` at once), and sleeps until the
/// limiter's next instant or until a new call or a finished send wakes it.
/// A 429 pauses the call's chat for `retry_after`; 5xx and network failures
/// are retried with backoff; other refusals are reported and not retried. A
/// 403 also fails the calls queued behind it for the same chat, unsent.
///
/// On graceful shutdown it stops taking calls and keeps sending what it holds
/// for up to ``Configuration/shutdownGracePeriod``; then it cancels what is in
/// flight and reports everything left as ``Outcome/abandoned``.
///
/// `Sendable` because all of its mutable state sits behind one `Mutex`.
public final class OutboundSender: Service, Sendable {
    public typealias Limiter = OutboundLimiter<OutboundCall>
    /// Replies to users (`high`) go before service messages (`normal`), which go before bulk sends (`low`).
    public typealias Priority = Limiter.Priority

    /// The settings this sender was created with.
    public let configuration: Configuration
    private let client: BotAPIClient
    private let budget: (any SendBudget)?
    private let logger: Logger
    let state: Mutex<State>

    struct State {
        var limiter: Limiter
        /// Who to tell about each call not yet reported: queued or in flight.
        var reporters: [Limiter.Job.ID: @Sendable (Outcome) -> Void] = [:]
        /// Calls whose caller does not read the message Telegram returns.
        var unreadResults: Set<Limiter.Job.ID> = []
        /// Calls whose first send was already taken from the budget.
        var budgetReserved: Set<Limiter.Job.ID> = []
        /// JSON bodies callers encoded beforehand, sent as they are.
        var bodies: [Limiter.Job.ID: [UInt8]] = [:]
        var counters = Counters()
        var phase = Phase.accepting
        /// The run loop, while it waits for something to change.
        var waiter: CheckedContinuation<Void, Never>?
        /// Something changed while the loop was not waiting.
        var wakeupPending = false
        /// The latest 429 per chat, to tell a chat's limit from the bot's.
        var recentRateLimits: [Int64: ContinuousClock.Instant] = [:]
    }

    /// Telegram's 429 does not say whether the chat or the whole bot is
    /// limited. When two different chats are refused within this long, the
    /// limit is taken to be the bot's, and every chat waits, not chat by chat.
    static let botScopeWindow: Duration = .seconds(1)

    enum Phase {
        case accepting
        case draining(deadline: ContinuousClock.Instant)
        case stopped
    }

    /// Creates a sender; it sends nothing until ``run()`` runs. With a
    /// `budget`, every send also takes a token from it, so senders of the
    /// same bot elsewhere keep Telegram's limits together.
    public init(client: BotAPIClient, configuration: Configuration = Configuration(), budget: (any SendBudget)? = nil, logger: Logger) {
        self.client = client
        self.budget = budget
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(State(limiter: Limiter(configuration: configuration.limits)))
    }

    /// What the sender has done so far.
    public var counters: Counters {
        state.withLock { $0.counters }
    }

    /// False once shutdown has begun: new calls are reported abandoned at once.
    public var isAcceptingCalls: Bool {
        state.withLock { state in
            if case .accepting = state.phase { return true }
            return false
        }
    }

    /// Calls waiting to be sent, retries included.
    public var queuedCount: Int {
        state.withLock { $0.limiter.queuedJobCount }
    }

    /// Queues a call and returns at once; `onOutcome` is called exactly once,
    /// from the sender's own tasks (or at once if the sender no longer takes
    /// calls), and should return quickly. Calls queued before ``run()`` starts
    /// wait for it. With `readingResult` false the message Telegram returns
    /// is not decoded, and ``Outcome/delivered(_:)`` carries nil. With
    /// `budgetReserved` the caller already took the call's send from the
    /// budget: its first attempt does not ask the budget again (a retry does).
    /// `body`, the call's ``OutboundCall/jsonBody()`` if the caller made it
    /// already, is sent as it is instead of encoding the call again.
    public func submit(
        _ call: OutboundCall,
        priority: Priority,
        readingResult: Bool = true,
        budgetReserved: Bool = false,
        body: [UInt8]? = nil,
        onOutcome: @escaping @Sendable (Outcome) -> Void
    ) {
        let accepted = state.withLock { state in
            guard case .accepting = state.phase else {
                state.counters.abandoned += 1
                return false
            }
            let id = state.limiter.enqueue(call, to: call.destination, priority: priority, now: .now)
            state.reporters[id] = onOutcome
            if !readingResult {
                state.unreadResults.insert(id)
            }
            if budgetReserved {
                state.budgetReserved.insert(id)
            }
            if let body {
                state.bodies[id] = body
            }
            return true
        }
        if accepted {
            wake()
        } else {
            onOutcome(.abandoned)
        }
    }

    /// Queues a call and waits for its outcome. The call is not withdrawn if
    /// the waiting task is cancelled: it was handed over, and goes out.
    /// `readingResult`, `budgetReserved` and `body` are as for ``submit(_:priority:readingResult:budgetReserved:body:onOutcome:)``.
    public func send(_ call: OutboundCall, priority: Priority, readingResult: Bool = true, budgetReserved: Bool = false, body: [UInt8]? = nil) async -> Outcome {
        await withCheckedContinuation { continuation in
            submit(call, priority: priority, readingResult: readingResult, budgetReserved: budgetReserved, body: body) { continuation.resume(returning: $0) }
        }
    }

    /// Asks the Bot API who the bot is (`getMe`), outside the queue: whether
    /// the bot can send again after its token, base URL or server failed.
    public func probe() async -> Result<Void, BotAPIError> {
        do {
            _ = try await self.client.getMe()
            return .success(())
        } catch {
            return .failure(error)
        }
    }

    /// Sends queued calls until shutdown; run it once, in a `ServiceGroup`.
    public func run() async {
        let alarm = SenderAlarm { [weak self] in self?.wake() }
        defer { alarm.cancel() }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                await schedule(into: &group, alarm: alarm)
                // Reached at the drain deadline or on cancellation: stop what is in flight.
                group.cancelAll()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
        abandonLeftovers()
    }

    private enum Step {
        case send(Limiter.Job)
        case wait(until: ContinuousClock.Instant?)
        case finish
    }

    /// The loop: send what the limiter allows, otherwise wait for the next
    /// instant it names or for a change.
    private func schedule(into group: inout DiscardingTaskGroup, alarm: SenderAlarm) async {
        while !Task.isCancelled {
            let step = state.withLock { state in nextStep(&state, now: .now) }
            switch step {
            case .send(let job):
                group.addTask { await self.perform(job) }
            case .wait(let deadline):
                await waitForChange(until: deadline, alarm: alarm)
            case .finish:
                return
            }
        }
    }

    private func nextStep(_ state: inout State, now: ContinuousClock.Instant) -> Step {
        var drainDeadline: ContinuousClock.Instant?
        if case .draining(let deadline) = state.phase {
            if state.reporters.isEmpty || deadline <= now { return .finish }
            drainDeadline = deadline
        }
        guard state.limiter.inFlightJobCount < configuration.maximumConcurrentSends else {
            return .wait(until: drainDeadline)
        }
        switch state.limiter.nextAction(now: now) {
        case .send(let job):
            return .send(job)
        case .wait(let instant):
            return .wait(until: drainDeadline.map { min($0, instant) } ?? instant)
        case .idle:
            return .wait(until: drainDeadline)
        }
    }

    /// Sends one call and records how it went.
    private func perform(_ job: Limiter.Job) async {
        let (reserved, readingResult, body) = state.withLock { ($0.budgetReserved.remove(job.id) != nil, !$0.unreadResults.contains(job.id), $0.bodies[job.id]) }
        if !reserved, let budget, case .wait(let wait, let scope) = await budget.reserve(job.destination, priority: job.priority) {
            state.withLock { state in
                _ = state.limiter.completed(job.id, outcome: .deferred(wait: wait, scope: scope), now: .now)
                state.counters.deferred += 1
            }
            wake()
            return
        }
        let call = job.payload
        let result: Result<Message?, BotAPIError>
        do {
            result = .success(try await call.perform(with: client, readingResult: readingResult, body: body))
        } catch {
            result = .failure(error)
        }
        if case .failure(let error) = result, error.code == .cancelled, Task.isCancelled {
            // Cut off by shutdown: whether Telegram got it is unknown, so it stays someone's to resend.
            report(.abandoned, for: job.id) { $0.abandoned += 1 }
            return
        }
        record(result, of: job)
        wake()
    }

    /// `.bot` when another chat was refused within ``botScopeWindow``, else
    /// `.chat` (which, for a call without a chat, holds only that call).
    private func scopeOfRateLimit(for job: Limiter.Job) -> Limiter.RateLimitScope {
        guard case .chat(let chatID, _) = job.destination else { return .chat }
        let now = ContinuousClock.now
        return self.state.withLock { state in
            state.recentRateLimits = state.recentRateLimits.filter { now - $0.value < Self.botScopeWindow }
            let others = state.recentRateLimits.keys.contains { $0 != chatID }
            state.recentRateLimits[chatID] = now
            return others ? .bot : .chat
        }
    }

    private func record(_ result: Result<Message?, BotAPIError>, of job: Limiter.Job) {
        let outcome: Limiter.Outcome
        switch result {
        case .success:
            outcome = .success
        case .failure(let error):
            switch error.disposition {
            case .rateLimited:
                // The limiter waits at least a second for a 429, as does Telegram's guidance.
                outcome = .rateLimited(retryAfter: error.retryAfter ?? .seconds(1), scope: self.scopeOfRateLimit(for: job))
            case .transient:
                outcome = .transientFailure
            case .permanent, .botUnavailable:
                // Not retried here: a durable caller keeps a reply the bot could not send.
                outcome = .permanentFailure
            }
        }
        let reports: [Report] = state.withLock { state in
            guard let completion = state.limiter.completed(job.id, outcome: outcome, now: .now) else { return [] }
            if case .willRetry = completion {} else {
                state.unreadResults.remove(job.id)
                state.bodies[job.id] = nil
            }
            switch (completion, result) {
            case (.delivered, .success(let message)):
                state.counters.sent += 1
                return [Report(state.reporters.removeValue(forKey: job.id), .delivered(message))]
            case (.failed, .failure(let error)):
                var reports = [Report(state.reporters.removeValue(forKey: job.id), .failed(error))]
                if error.code == .forbidden, case .chat(let chatID, _) = job.destination {
                    // A 403 is about the chat (blocked, kicked, deactivated): the
                    // calls queued behind it would only spend the bot's quota on the same answer.
                    let dropped = state.limiter.removeQueuedJobs(forChat: chatID)
                    reports += dropped.map { Report(state.reporters.removeValue(forKey: $0.id), .failed(error)) }
                    state.unreadResults.subtract(dropped.map(\.id))
                    state.budgetReserved.subtract(dropped.map(\.id))
                    for job in dropped { state.bodies[job.id] = nil }
                }
                state.counters.failed += reports.count
                return reports
            case (.willRetry, _):
                if case .rateLimited = outcome {
                    state.counters.rateLimited += 1
                } else {
                    state.counters.retried += 1
                }
                return []
            case (.delivered, .failure), (.failed, .success):
                // The limiter's verdict follows the outcome it was given; these cannot pair.
                return []
            }
        }
        log(result, of: job, final: !reports.isEmpty, dropped: max(reports.count - 1, 0))
        for report in reports {
            report.reporter?(report.outcome)
        }
    }

    /// An outcome and whom to tell, gathered under the lock and delivered outside it.
    private struct Report {
        var reporter: (@Sendable (Outcome) -> Void)?
        var outcome: Outcome

        init(_ reporter: (@Sendable (Outcome) -> Void)?, _ outcome: Outcome) {
            self.reporter = reporter
            self.outcome = outcome
        }
    }

    private func log(_ result: Result<Message?, BotAPIError>, of job: Limiter.Job, final: Bool, dropped: Int) {
        guard case .failure(let error) = result else { return }
        var metadata: Logger.Metadata = [
            "job": "\(job.id)", "method": "\(job.payload.methodName)", "attempt": "\(job.attempts)", "error": "\(error.code)",
        ]
        if dropped > 0 {
            metadata["droppedQueuedCalls"] = "\(dropped)"
        }
        if final {
            logger.warning("Bot API call failed for good: \(error.debugDescription)", metadata: metadata)
        } else {
            logger.debug("Bot API call will be retried: \(error.debugDescription)", metadata: metadata)
        }
    }

    private func report(_ outcome: Outcome, for id: Limiter.Job.ID, counting: (inout Counters) -> Void) {
        let reporter = state.withLock { state in
            let reporter = state.reporters.removeValue(forKey: id)
            state.unreadResults.remove(id)
            state.budgetReserved.remove(id)
            state.bodies[id] = nil
            if reporter != nil { counting(&state.counters) }
            return reporter
        }
        reporter?(outcome)
    }

    private func beginShutdown() {
        state.withLock { state in
            if case .accepting = state.phase {
                state.phase = .draining(deadline: .now + configuration.shutdownGracePeriod)
            }
        }
        wake()
    }

    /// Reports every call still held, in the order they were queued, once the
    /// loop and its sends are over.
    private func abandonLeftovers() {
        let leftovers = state.withLock { state in
            state.phase = .stopped
            let leftovers = state.reporters.sorted { $0.key < $1.key }.map(\.value)
            state.reporters = [:]
            state.unreadResults = []
            state.budgetReserved = []
            state.bodies = [:]
            state.counters.abandoned += leftovers.count
            return leftovers
        }
        if !leftovers.isEmpty {
            logger.notice("Outbound sender stopped with calls unsent", metadata: ["abandoned": "\(leftovers.count)"])
        }
        for reporter in leftovers {
            reporter(.abandoned)
        }
    }
}
