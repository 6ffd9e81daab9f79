public import Logging
import RedisClient
import ServiceClients
public import ServiceLifecycle
import TelegramBotAPI

/// Takes conversations with work from the durable inbox and runs the handler
/// on their updates, one at a time and oldest first per conversation, many
/// conversations in parallel — together with the dispatchers of every other
/// instance sharing the Redis.
///
/// Per bot, ``DurablePipelineConfiguration/concurrency`` workers each block
/// on the bot's runnable set (`BZPOPMIN` on a connection of their own), lease the
/// conversation they get, run the handler while one ``LeaseWatch`` renews
/// the leases of all steps in flight, and commit the outcome atomically. A
/// sweeper makes conversations whose dispatcher died runnable again once its
/// instance stops beating (``InstanceHeartbeat``) or its lease expires.
///
/// A step that fails — the handler throws, or runs past `STEP_TIMEOUT` and
/// is cancelled — is tried again after a growing delay (``StepRetryPolicy``;
/// `step_retry`); a step that dies with its process counts as an attempt
/// too, as each lease does. After `DEAD_LETTER_AFTER` attempts the update
/// becomes a ``DeadLetter`` (`dead_letter`), the user is told once (the
/// `notice`), and the conversation goes on. A step whose service
/// call has to wait for a place (`<NAME>_SERVICE_CONCURRENCY`) releases its
/// ``ServiceClients/WorkerSlot``: a new worker (or handed-over place) takes
/// over at once, so a slow service holds only the steps that call it. On graceful shutdown each worker
/// finishes its step and stops; a step cut off by cancellation releases its
/// lease, so another instance (or this one after a restart) handles the
/// update again at once. A killed process's lease simply expires.
public final class InboxDispatcher: Service {
    /// The work done for each update; its outcome is committed with the acknowledgement.
    public typealias Handler = @Sendable (InboxItem) async throws -> StepOutcome

    private let inbox: RedisInbox
    private let bots: [BotID]
    private let handler: Handler
    private let logger: Logger
    private let gateway: GatewayMetrics
    private let deadLetters: any DeadLetterStore
    private let notice: Notice?
    private let retries: StepRetryPolicy
    private let watch: LeaseWatch<StepTicket<InboxItem, StepOutcome>>

    /// The replies that tell a user their update was given up on ("something
    /// went wrong, try again"), in their language; committed with the dead letter.
    public typealias Notice = @Sendable (InboxItem) async -> [OutboundCall]

    /// Creates a dispatcher for `bots`; it handles nothing until ``run()``.
    /// Updates it gives up on go to `deadLetters` (by default the inbox's
    /// Redis), and `notice` tells their users.
    public init(
        inbox: RedisInbox,
        bots: [BotID],
        logger: Logger,
        metrics: GatewayMetrics = .init(),
        deadLetters: (any DeadLetterStore)? = nil,
        notice: Notice? = nil,
        handler: @escaping Handler
    ) {
        self.inbox = inbox
        self.bots = bots
        self.handler = handler
        self.logger = logger
        self.gateway = metrics
        self.deadLetters = deadLetters ?? RedisDeadLetterStore(client: inbox.client, keyPrefix: inbox.configuration.keyPrefix)
        self.notice = notice
        self.retries = StepRetryPolicy(attempts: inbox.configuration.deadLetterAfter, firstDelay: inbox.configuration.retryDelay)
        self.watch = LeaseWatch(renewEvery: inbox.configuration.leaseTimeout / 3, timeout: inbox.configuration.stepTimeout)
    }

    /// The `queue` label of a bot's ready-list depth in `gateway_queue_depth`.
    public static func queueName(for bot: BotID) -> String {
        "redis_inbox_ready_\(bot.name)"
    }

    /// Runs the workers and the sweeper until graceful shutdown or cancellation.
    ///
    /// Besides the workers on the runnable sets, up to four times
    /// `concurrency` updates this instance's webhook leased while appending
    /// them run here at once (see ``RedisInbox/accept(_:raw:bot:)``): steps
    /// mostly wait on downstream services, and past that the shared
    /// runnable set takes the overflow. What was handed over before shutdown is
    /// still handled.
    public func run() async {
        let concurrency = max(self.inbox.configuration.concurrency, 1)
        let local = self.inbox.local
        let starts = HandoffQueue<Start>()
        local.openSteps(capacity: concurrency * 4, into: starts)
        let inbox = self.inbox
        await withDiscardingTaskGroup { outer in
            outer.addTask {
                await self.watch.run { try await inbox.renew($0.item) } interrupt: { $0.end(.interrupted($1)) }
            }
            await withDiscardingTaskGroup { group in
                for bot in self.bots {
                    for _ in 0..<concurrency {
                        group.addTask { await self.work(bot, starts: starts) }
                    }
                    group.addTask { await self.sweep(bot) }
                }
                group.addTask {
                    while !Self.isStopping {
                        await Self.pause(for: .seconds(3600))
                    }
                    local.closeSteps()
                }
                for await next in starts {
                    switch next {
                    case .step(let item):
                        group.addTask {
                            // Waiting for a busy service gives the handed-over place back, as a worker's slot does.
                            let slot = WorkerSlot { local.endStep() }
                            await WorkerSlot.$current.withValue(slot) {
                                await self.process(item)
                            }
                            if slot.isReleased {
                                self.inbox.metrics.record("worker_released", bot: item.delivery.bot)
                            } else {
                                local.endStep()
                            }
                        }
                    case .worker(let bot):
                        group.addTask { await self.work(bot, starts: starts) }
                    }
                }
            }
            // Every step has ended: the watch may stop.
            outer.cancelAll()
        }
        self.logger.info("inbox dispatcher stopped")
    }

    /// What the run loop starts in its task group.
    enum Start: Sendable {
        /// An update this instance's webhook handed over.
        case step(InboxItem)
        /// A worker in place of one whose step released its slot.
        case worker(BotID)
    }

    static var isStopping: Bool {
        Task.isCancelled || Task.isShuttingDownGracefully
    }

    private func work(_ bot: BotID, starts: HandoffQueue<Start>) async {
        let runnable = self.inbox.keys.bot(bot).runnable
        let block = self.inbox.configuration.pollTimeout
        let blockSeconds = String(Double(block.redisMilliseconds) / 1000)
        var failures = 0
        while !Self.isStopping {
            do {
                try await self.inbox.client.withDedicatedConnection(routingKey: .string(runnable)) { connection in
                    while !Self.isStopping {
                        let reply = try await connection.send(["BZPOPMIN", .string(runnable), .string(blockSeconds)], timeout: block + .seconds(5))
                        failures = 0
                        guard let popped = reply.array, popped.count == 3, let conversation = popped[1].string else { continue }
                        if Self.isStopping {
                            try await self.inbox.giveBack(conversation, of: bot)
                            return
                        }
                        // A step waiting for a service at its `<NAME>_SERVICE_CONCURRENCY`
                        // releases its slot: a new worker starts at once, so conversations
                        // that do not use that service keep their workers, and this one
                        // ends with its step.
                        let slot = WorkerSlot { starts.yield(.worker(bot)) }
                        await WorkerSlot.$current.withValue(slot) {
                            await self.step(conversation, of: bot)
                        }
                        if slot.isReleased {
                            self.inbox.metrics.record("worker_released", bot: bot)
                            return
                        }
                    }
                }
            } catch {
                guard !Self.isStopping else { return }
                failures += 1
                if failures == 1 {
                    self.logger.warning("inbox worker lost Redis; retrying", metadata: ["bot": "\(bot)", "error": "\(error)"])
                }
                await Self.pause(for: .milliseconds(min(50 << min(failures, 6), 2000)))
            }
        }
    }

    private func step(_ conversation: String, of bot: BotID) async {
        let lease: RedisInbox.Lease
        do {
            lease = try await self.inbox.lease(conversation, of: bot)
        } catch {
            // Still marked ready: the sweeper puts it back when its watch deadline passes.
            self.logger.warning("could not lease a conversation", metadata: ["bot": "\(bot)", "conversation": "\(conversation)", "error": "\(error)"])
            return
        }
        switch lease {
        case .none:
            return
        case .undecodable(let token, let raw, let error):
            self.logger.error(
                "an inbox entry that is not a valid update is kept as a dead letter",
                metadata: ["bot": "\(bot)", "conversation": "\(conversation)", "error": "\(error)"])
            self.inbox.metrics.record("undecodable", bot: bot)
            let letter = DeadLetter(
                id: "x" + InstanceIdentity.randomRun(), bot: bot, conversation: conversation, updateID: 0,
                update: String(decoding: raw, as: UTF8.self), reason: .undecodable, error: "\(error)", attempts: 1,
                time: self.inbox.sharedDate)
            // Kept if it can be; dropped either way, as no later try could read it.
            try? await self.deadLetters.add(letter)
            await self.commit(conversation: conversation, bot: bot) {
                try await self.inbox.commit(token: token, conversation: conversation, bot: bot, outcome: .unchanged, encoded: [])
            }
        case .item(let item) where !self.retries.mayRun(attempt: item.attempt):
            // The attempts before this one died with their processes (or failed and this one's process is new).
            let error = item.lastError ?? "the process handling it stopped before finishing, \(item.attempt - 1) times"
            await self.bury(item, reason: .stepAbandoned, error: error, attempts: item.attempt - 1)
        case .item(let item):
            await self.process(item)
        }
    }

    /// Runs the handler on a leased update and commits its outcome.
    private func process(_ item: InboxItem) async {
        let bot = item.delivery.bot
        var outcome = StepOutcome.unchanged
        var encoded: [OutboxEnvelope.Prepared] = []
        do {
            let handled = try await self.handle(item)
            encoded = try self.inbox.encode(handled.replies)
            outcome = handled
        } catch let error as DurablePipelineError where error.code == .leaseLost {
            self.logger.warning("\(error.message)", metadata: ["bot": "\(bot)", "update_id": "\(item.delivery.update.updateID)"])
            return
        } catch let error as DurablePipelineError where error.code == .stepTimedOut {
            // Tried again, not dropped: a step may be slow because a dependency is
            // (a forward bot waits out its backend's breaker), and the next try may finish.
            self.inbox.metrics.record("step_timeout", bot: bot)
            await self.failed(item, error: error.message)
            return
        } catch {
            // Cut off (the task cancelled, or a handler that stopped for shutdown): another run handles it again.
            if Task.isCancelled || error is CancellationError {
                await self.release(item)
                return
            }
            self.inbox.metrics.record("handler_failed", bot: bot)
            await self.failed(item, error: "\(error)")
            return
        }
        await self.commit(conversation: item.conversation, bot: bot) { [outcome, encoded] in
            try await self.inbox.commit(item, outcome: outcome, encoded: encoded)
        }
    }

    /// Runs the handler in a child task while ``LeaseWatch`` renews the lease
    /// every third of its length; a lost lease cancels the handler, and so
    /// does `STEP_TIMEOUT`, which fails the step.
    private func handle(_ item: InboxItem) async throws -> StepOutcome {
        switch await self.watch.runStep(item, self.handler) {
        case .finished(let result):
            return try result.get()
        case .interrupted(let reason):
            throw Self.error(reason, item: item, timeout: self.inbox.configuration.stepTimeout)
        case .cancelled:
            throw CancellationError()
        }
    }

    private static func error(_ interruption: LeaseInterruption, item: InboxItem, timeout: Duration) -> DurablePipelineError {
        switch interruption {
        case .timedOut:
            DurablePipelineError.stepTimedOut(after: timeout)
        case .leaseLost:
            DurablePipelineError(
                code: .leaseLost, message: "the lease on \(item.conversation) was lost mid-step; another dispatcher handles the update")
        }
    }

    /// After a failed attempt: backs the conversation off for another try,
    /// or makes the update a dead letter when it had its attempts.
    private func failed(_ item: InboxItem, error: String) async {
        let bot = item.delivery.bot
        switch self.retries.afterFailure(attempt: item.attempt) {
        case .retry(let delay):
            self.logger.warning(
                "update handling failed; it is tried again",
                metadata: [
                    "bot": "\(bot)", "update_id": "\(item.delivery.update.updateID)", "attempt": "\(item.attempt)",
                    "retry_in": "\(delay)", "error": "\(error)",
                ])
            self.inbox.metrics.record("step_retry", bot: bot)
            let inbox = self.inbox
            // In a task of its own: this one may be cancelled (a timed-out step).
            let backedOff = await Task { try? await inbox.fail(item, delay: delay, error: error) }.value
            if backedOff == nil {
                self.logger.notice("failed step not backed off; it runs again when its lease expires", metadata: ["update_id": "\(item.delivery.update.updateID)"])
            }
        case .deadLetter:
            await self.bury(item, reason: .stepFailed, error: error, attempts: item.attempt)
        }
    }

    /// Gives up on `item`: keeps it as a dead letter, then commits its
    /// acknowledgement with the notice to its user, so the conversation goes
    /// on and the user is told once. If the letter cannot be kept, the
    /// update is backed off and tried again instead. `attempts` is how many
    /// ran: the lease that finds the attempts used up counts one more.
    private func bury(_ item: InboxItem, reason: DeadLetter.Reason, error: String, attempts: Int) async {
        let bot = item.delivery.bot
        let update = item.delivery.update
        let letter = DeadLetter(
            id: DeadLetter.id(ofUpdate: update.updateID),
            bot: bot,
            conversation: item.conversation,
            updateID: update.updateID,
            update: String(decoding: item.delivery.raw, as: UTF8.self),
            reason: reason,
            error: error,
            attempts: attempts,
            time: self.inbox.sharedDate
        )
        do {
            try await self.deadLetters.add(letter)
        } catch let failure {
            self.logger.error(
                "could not keep a dead letter; the update is tried again",
                metadata: ["bot": "\(bot)", "update_id": "\(update.updateID)", "error": "\(failure)"])
            _ = try? await self.inbox.fail(item, delay: self.retries.longestDelay, error: error)
            return
        }
        self.logger.error(
            "update given up on after \(attempts) attempts; kept as a dead letter",
            metadata: ["bot": "\(bot)", "update_id": "\(update.updateID)", "dead_letter": "\(letter.id)", "reason": "\(reason)", "error": "\(error)"])
        self.inbox.metrics.record("dead_letter", bot: bot)
        let notice = await self.notice?(item) ?? []
        let encoded = (try? self.inbox.encode(notice)) ?? []
        let replies = encoded.isEmpty ? [] : notice
        await self.commit(conversation: item.conversation, bot: bot) {
            try await self.inbox.commit(item, outcome: StepOutcome(replies: replies), encoded: encoded)
        }
    }

    /// Gives a cut-off step's update back for another run, its attempt
    /// refunded. The release runs in a task of its own because this one is
    /// cancelled; if it fails, the lease expires as usual.
    private func release(_ item: InboxItem) async {
        let inbox = self.inbox
        let released: Void? = await Task { try? await inbox.release(item, refund: true) }.value
        if released == nil {
            self.logger.notice("cut-off step not released; it runs again when its lease expires", metadata: ["update_id": "\(item.delivery.update.updateID)"])
        }
    }

    /// Commits, retrying Redis failures while the lease may still hold. A
    /// retry after a commit that did run finds the lease gone, which is fine.
    private func commit(conversation: String, bot: BotID, _ body: () async throws -> Void) async {
        let clock = ContinuousClock()
        let giveUp = clock.now + self.inbox.configuration.leaseTimeout
        var attempt = 0
        while true {
            do {
                try await body()
                return
            } catch let error as DurablePipelineError where error.code == .leaseLost {
                self.logger.notice(
                    "step not committed: the lease was gone (expired, or an earlier attempt committed)",
                    metadata: ["bot": "\(bot)", "conversation": "\(conversation)"]
                )
                return
            } catch {
                attempt += 1
                guard !Task.isCancelled, clock.now < giveUp else {
                    self.logger.error(
                        "step not committed; the update will be handled again when the lease expires",
                        metadata: ["bot": "\(bot)", "conversation": "\(conversation)", "error": "\(error)"]
                    )
                    return
                }
                await Self.pause(for: .milliseconds(min(25 << min(attempt, 6), 1000)))
            }
        }
    }

    private func sweep(_ bot: BotID) async {
        let gauge = self.gateway.queueDepthGauge(queue: Self.queueName(for: bot))
        var topology = self.inbox.client.topologyChanges
        while !Self.isStopping {
            do {
                // A failover may have lost the newest entries of the watch and
                // outbox sets: they are rebuilt from the conversations once
                // the cluster serves again (until then this fails and retries).
                let changes = self.inbox.client.topologyChanges
                if changes != topology {
                    _ = try await self.inbox.reconcile(bot)
                    topology = changes
                }
                let (_, depth) = try await self.inbox.sweep(bot)
                gauge.record(depth)
            } catch {
                self.logger.debug("inbox sweep failed; retrying", metadata: ["bot": "\(bot)", "error": "\(error)"])
            }
            await Self.pause(for: self.inbox.configuration.sweepPause)
        }
    }

    /// Sleeps, cut short by graceful shutdown or cancellation.
    static func pause(for duration: Duration) async {
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: duration) }
    }
}
