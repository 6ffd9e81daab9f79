import Synchronization

/// Renews the leases held for work in flight — a dispatcher's steps, a
/// relay's sends — and ends the work past its timeout: one task for all of
/// them, asleep until the earliest is due (once per renewal period under
/// load). Each step and each send used to start a child task that slept
/// beside it, and a cancelled `Task.sleep` keeps its timer (a task and a
/// Dispatch source) until the instant it was set for: a renewal period or
/// a timeout of memory for every update.
final class LeaseWatch<Payload: Sendable>: Sendable {
    typealias Machine = LeaseWatchMachine<Payload>

    private struct State {
        var machine: Machine
        var waiter: CheckedContinuation<Void, Never>?
        var wakePending = false
    }

    private let state: Mutex<State>

    /// A watch renewing each lease every `renewEvery` (nil: the work holds
    /// none), and ending work that runs longer than `timeout` (nil: never).
    init(renewEvery: Duration?, timeout: Duration?) {
        self.state = Mutex(State(machine: Machine(renewEvery: renewEvery, timeout: timeout)))
    }

    /// Watches `payload`'s lease from now until ``end(_:)``.
    func start(_ payload: Payload) -> Int {
        let (id, waiter) = self.state.withLock { state in
            let (id, wake) = state.machine.start(payload, now: .now)
            return (id, wake ? Self.takeWaiter(&state) : nil)
        }
        waiter?.resume()
        return id
    }

    /// Stops watching lease `id`; why the watch ended its work, if it did.
    func end(_ id: Int) -> Machine.Interruption? {
        self.state.withLock { $0.machine.end(id) }
    }

    /// Watches until cancelled (cancel it once no work is left): `renew`
    /// extends one lease, answering false when it was lost; `interrupt` ends
    /// the work of a lease lost or past its timeout.
    func run(
        renew: @escaping @Sendable (Payload) async throws -> Bool,
        interrupt: @escaping @Sendable (Payload, Machine.Interruption) -> Void
    ) async {
        while !Task.isCancelled {
            switch self.state.withLock({ $0.machine.tick(now: .now) }) {
            case .act(let ended, let renewals):
                for (payload, reason) in ended {
                    interrupt(payload, reason)
                }
                await withDiscardingTaskGroup { group in
                    for (id, payload) in renewals {
                        group.addTask {
                            // A Redis error is not a lost lease: it may still hold, so it is tried again.
                            let held = try? await renew(payload)
                            let lost = self.state.withLock { $0.machine.renewed(id, held: held, now: .now) }
                            if let lost { interrupt(lost, .leaseLost) }
                        }
                    }
                }
            case .sleep(let until):
                try? await Task.sleep(until: until, clock: .continuous)
            case .idle:
                await self.waitForStart()
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
