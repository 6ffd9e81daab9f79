public import Logging
public import ServiceLifecycle
import CoreMetrics
import Synchronization
public import TelegramBotAPI

/// An ``UpdateSink`` that keeps updates in memory and hands them to a handler
/// closure on a fixed number of workers, one conversation at a time in arrival
/// order (by `Update.conversationKey`), different conversations in parallel.
///
/// **Not durable.** An update answered 200 but still queued is lost if the
/// process dies; a graceful shutdown drains the queue for up to
/// `drainTimeout` and drops (and logs) what is left. The durable inbox
/// replaces it where losing updates matters.
///
/// Run it as a `Service` in the same `ServiceGroup` as the HTTP server,
/// *before* the server in the services list: the group stops services in
/// reverse order, so the server finishes its in-flight requests before the
/// dispatcher stops taking updates and drains.
public final class InProcessDispatcher: UpdateSink, Service {
    /// The work done for each update; an error is logged and the update dropped.
    public typealias Handler = @Sendable (UpdateDelivery) async throws -> Void

    /// How the dispatcher is sized.
    public struct Configuration: Sendable {
        /// Updates held at once (queued plus being handled); beyond it the
        /// webhook answers 503.
        public var capacity: Int
        /// Updates handled in parallel (each of a different conversation).
        public var concurrency: Int
        /// How long a graceful shutdown waits for the queue to drain.
        public var drainTimeout: Duration
        /// How long one step may run; then it is cancelled and its update dropped (`STEP_TIMEOUT`).
        public var stepTimeout: Duration

        /// Creates a configuration.
        public init(capacity: Int = 1024, concurrency: Int = 16, drainTimeout: Duration = .seconds(10), stepTimeout: Duration = .seconds(30)) {
            self.capacity = capacity
            self.concurrency = concurrency
            self.drainTimeout = drainTimeout
            self.stepTimeout = stepTimeout
        }
    }

    /// The `queue` label of this dispatcher's `gateway_queue_depth`.
    public static let queueName = "in_process"

    private let configuration: Configuration
    private let handler: Handler
    private let logger: Logger
    private let depthGauge: CoreMetrics.Gauge
    private let state: Mutex<DispatchQueueState>
    /// Ends steps past `STEP_TIMEOUT` (there is no lease to renew in process).
    private let watch: LeaseWatch<StepTicket<UpdateDelivery, Void>>

    /// Creates a dispatcher; it handles nothing until ``run()`` is called.
    /// Bootstrap the metrics system first: the depth gauge is made here.
    public init(configuration: Configuration = .init(), logger: Logger, metrics: GatewayMetrics = .init(), handler: @escaping Handler) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.depthGauge = metrics.queueDepthGauge(queue: Self.queueName)
        self.state = Mutex(DispatchQueueState(capacity: max(configuration.capacity, 1)))
        self.watch = LeaseWatch(renewEvery: nil, timeout: configuration.stepTimeout)
    }

    /// Updates accepted and not yet handled.
    public var depth: Int {
        self.state.withLock { $0.count }
    }

    public func accept(_ update: Update, raw: [UInt8], bot: BotID) async throws {
        let delivery = UpdateDelivery(update: update, raw: raw, bot: bot)
        let result = self.state.withLock { state in
            let result = state.accept(delivery)
            // Recorded under the lock so the gauge never goes back in time.
            self.depthGauge.record(state.count)
            return result
        }
        switch result {
        case .queued:
            break
        case .handOver(let worker, let job):
            worker.resume(returning: job)
        case .refused(let error):
            throw error
        }
    }

    /// Runs the workers until a graceful shutdown has drained the queue, or
    /// its deadline has passed.
    public func run() async throws {
        enum Exit {
            case worker
            case deadlinePassed
            case timerStopped
            case watchStopped
        }
        let concurrency = max(self.configuration.concurrency, 1)
        await withTaskCancellationHandler {
            await withTaskGroup(of: Exit.self) { group in
                for _ in 0..<concurrency {
                    group.addTask {
                        await self.work()
                        return .worker
                    }
                }
                group.addTask {
                    await self.watch.run { _ in true } interrupt: { $0.end(.interrupted($1)) }
                    return .watchStopped
                }
                group.addTask {
                    do {
                        try await gracefulShutdown()
                        self.close()
                        try await Task.sleep(for: self.configuration.drainTimeout)
                        return .deadlinePassed
                    } catch {
                        return .timerStopped
                    }
                }
                var workersLeft = concurrency
                while let exit = await group.next() {
                    switch exit {
                    case .worker:
                        workersLeft -= 1
                        if workersLeft == 0 { group.cancelAll() }
                    case .deadlinePassed:
                        self.abandon(reason: "drain deadline of \(self.configuration.drainTimeout) passed")
                        group.cancelAll()
                    case .timerStopped, .watchStopped:
                        break
                    }
                }
            }
        } onCancel: {
            self.abandon(reason: "the dispatcher was cancelled")
        }
        self.logger.info("in-process dispatcher stopped")
    }

    private func work() async {
        var job = await self.nextJob()
        while let current = job {
            do {
                try await self.handleWithinDeadline(current.delivery)
            } catch {
                self.logger.error(
                    "update handler failed; the update is dropped",
                    metadata: ["bot": "\(current.delivery.bot)", "update_id": "\(current.delivery.update.updateID)", "error": "\(error)"]
                )
            }
            let (next, resume) = self.state.withLock { state in
                let finished = state.finish(current.key)
                self.depthGauge.record(state.count)
                return finished
            }
            for (worker, job) in resume { worker.resume(returning: job) }
            job = if let next { next } else { await self.nextJob() }
        }
    }

    /// Runs the handler in a child task, cancelled after `STEP_TIMEOUT` by
    /// the watch: without a durable inbox there is nowhere to give the update
    /// back to, so it is dropped.
    private func handleWithinDeadline(_ delivery: UpdateDelivery) async throws {
        switch await self.watch.runStep(delivery, self.handler) {
        case .finished(let result):
            try result.get()
        case .interrupted:
            throw DurablePipelineError.stepTimedOut(after: self.configuration.stepTimeout)
        case .cancelled:
            throw CancellationError()
        }
    }

    private func nextJob() async -> DispatchQueueState.Job? {
        await withCheckedContinuation { continuation in
            let next = self.state.withLock { state in
                let next = state.next()
                if case .wait = next { state.wait(continuation) }
                return next
            }
            switch next {
            case .job(let job): continuation.resume(returning: job)
            case .finished: continuation.resume(returning: nil)
            case .wait: break
            }
        }
    }

    private func close() {
        let (resume, depth) = self.state.withLock { state in (state.close(), state.count) }
        self.logger.info("in-process dispatcher draining", metadata: ["pending": "\(depth)"])
        for (worker, next) in resume { worker.resume(returning: next) }
    }

    private func abandon(reason: String) {
        let (resume, dropped) = self.state.withLock { $0.abandon() }
        if dropped > 0 {
            self.logger.error(
                "in-process dispatcher dropped updates that were acknowledged to Telegram",
                metadata: ["dropped": "\(dropped)", "reason": "\(reason)"]
            )
        }
        for (worker, next) in resume { worker.resume(returning: next) }
    }
}
