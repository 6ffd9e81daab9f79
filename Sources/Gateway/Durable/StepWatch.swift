import Synchronization

/// Renews the leases of a dispatcher's steps in flight and ends those past
/// `STEP_TIMEOUT`: one task for all of them, asleep until the earliest is
/// due (once per renewal period under load), where each step used to start
/// two child tasks that slept beside it.
final class StepWatch: Sendable {
    typealias Machine = StepWatchMachine<StepTicket>

    private struct State {
        var machine: Machine
        var waiter: CheckedContinuation<Void, Never>?
        var wakePending = false
    }

    private let state: Mutex<State>

    init(renewEvery: Duration, timeout: Duration) {
        self.state = Mutex(State(machine: Machine(renewEvery: renewEvery, timeout: timeout)))
    }

    /// Watches `ticket`'s step from now until ``end(_:)``.
    func start(_ ticket: StepTicket) -> Int {
        let (id, waiter) = self.state.withLock { state in
            let (id, wake) = state.machine.start(ticket, now: .now)
            return (id, wake ? Self.takeWaiter(&state) : nil)
        }
        waiter?.resume()
        return id
    }

    /// Stops watching step `id`; why the watch ended it, if it did.
    func end(_ id: Int) -> Machine.Interruption? {
        self.state.withLock { $0.machine.end(id) }
    }

    /// Stops ``run(renew:)`` at once (every step has ended).
    func close() {
        let waiter = self.state.withLock { state in
            state.machine.close() ? Self.takeWaiter(&state) : nil
        }
        waiter?.resume()
    }

    /// Watches until ``close()`` or cancellation; `renew` extends one
    /// step's lease, answering false when it was lost.
    func run(renew: @escaping @Sendable (InboxItem) async throws -> Bool) async {
        while !Task.isCancelled {
            switch self.state.withLock({ $0.machine.tick(now: .now) }) {
            case .act(let interrupt, let renewals):
                for (ticket, reason) in interrupt {
                    ticket.end(.interrupted(reason))
                }
                await withDiscardingTaskGroup { group in
                    for (id, ticket) in renewals {
                        group.addTask {
                            // A Redis error is not a lost lease: it may still hold, so it is tried again.
                            let held = try? await renew(ticket.item)
                            let lost = self.state.withLock { $0.machine.renewed(id, held: held, now: .now) }
                            lost?.end(.interrupted(.leaseLost))
                        }
                    }
                }
            case .sleep(let until):
                try? await Task.sleep(until: until, clock: .continuous)
            case .idle:
                await self.waitForStart()
            case .closed:
                return
            }
        }
    }

    private func waitForStart() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state in
                    if state.wakePending || Task.isCancelled {
                        state.wakePending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.state.withLock { Self.takeWaiter(&$0) }?.resume()
        }
    }

    private static func takeWaiter(_ state: inout State) -> CheckedContinuation<Void, Never>? {
        guard let waiter = state.waiter else {
            state.wakePending = true
            return nil
        }
        state.waiter = nil
        return waiter
    }
}

/// One step's meeting point: its handler finishing, the watch ending it,
/// or the dispatcher's task being cancelled — whichever comes first is what
/// the dispatcher waits for.
final class StepTicket: Sendable {
    /// How a step ended.
    enum Ending: Sendable {
        case finished(Result<StepOutcome, any Error>)
        case interrupted(StepWatchMachine<StepTicket>.Interruption)
        case cancelled
    }

    private enum State {
        case running
        case waiting(CheckedContinuation<Ending, Never>)
        case ended(Ending)
        case taken
    }

    /// The update the step handles.
    let item: InboxItem
    private let state = Mutex(State.running)

    init(item: InboxItem) {
        self.item = item
    }

    /// Ends the step with `ending`, unless it already ended.
    func end(_ ending: Ending) {
        let waiter = self.state.withLock { state -> CheckedContinuation<Ending, Never>? in
            switch state {
            case .running:
                state = .ended(ending)
                return nil
            case .waiting(let continuation):
                state = .taken
                return continuation
            case .ended, .taken:
                return nil
            }
        }
        waiter?.resume(returning: ending)
    }

    /// How the step ended, once it has; `.cancelled` when the waiting task is.
    func ending() async -> Ending {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Ending, Never>) in
                let ended = self.state.withLock { state -> Ending? in
                    if case .ended(let ending) = state {
                        state = .taken
                        return ending
                    }
                    state = .waiting(continuation)
                    return nil
                }
                if let ended { continuation.resume(returning: ended) }
            }
        } onCancel: {
            self.end(.cancelled)
        }
    }
}
