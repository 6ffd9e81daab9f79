import Synchronization

/// One step's meeting point: its handler finishing with an `Output`, the
/// watch ending it, or the dispatcher's task being cancelled — whichever
/// comes first is what the dispatcher waits for.
final class StepTicket<Item: Sendable, Output: Sendable>: Sendable {
    /// How a step ended.
    enum Ending: Sendable {
        case finished(Result<Output, any Error>)
        case interrupted(LeaseInterruption)
        case cancelled
    }

    private enum State {
        case running
        case waiting(CheckedContinuation<Ending, Never>)
        case ended(Ending)
        case taken
    }

    /// The update the step handles.
    let item: Item
    private let state = Mutex(State.running)

    init(item: Item) {
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

extension LeaseWatch {
    /// Runs `handler` on `item` in a child task while this watch watches it,
    /// and returns how the step ended: the handler's result, unless the watch
    /// ended it first — or just as it finished: the watch's word counts — or
    /// the waiting task was cancelled. A step ended so is cancelled, and
    /// awaited, before this returns.
    func runStep<Item, Output>(
        _ item: Item, _ handler: @escaping @Sendable (Item) async throws -> Output
    ) async -> StepTicket<Item, Output>.Ending where Payload == StepTicket<Item, Output> {
        let ticket = StepTicket<Item, Output>(item: item)
        return await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    ticket.end(.finished(.success(try await handler(item))))
                } catch {
                    ticket.end(.finished(.failure(error)))
                }
            }
            let id = self.start(ticket)
            let ending = await ticket.ending()
            let interruption = self.end(id)
            switch (ending, interruption) {
            case (.finished, nil):
                return ending
            case (.finished, let interruption?), (.interrupted, let interruption?):
                group.cancelAll()
                return .interrupted(interruption)
            case (.interrupted, nil), (.cancelled, _):
                group.cancelAll()
                return ending
            }
        }
    }
}
