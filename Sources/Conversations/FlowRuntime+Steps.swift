/// Moving between steps: storing accepted input, actions and their outcomes,
/// entering a step (forward or back), and undoing an event whose call failed.
extension FlowRuntime {
    /// Stores the accepted input, then runs the step's action or follows its route.
    func accept(
        _ value: FlowValue?,
        at step: Step,
        in flow: Flow,
        state: ConversationState,
        next choiceNext: String? = nil,
        also extra: [String: FlowValue] = [:]
    ) -> Move {
        let rollback = Snapshot(state)
        var next = state
        if let value, step.input.stores {
            next.data[step.storeKey] = value
        }
        next.data.merge(extra) { $1 }
        if let action = step.action {
            let call = action.call(with: next)
            next.pending = PendingCall(purpose: .action, call: call, rollback: rollback)
            return Move(actions: [.call(call)], state: next)
        }
        return self.follow(choiceNext.map(Step.Route.step) ?? step.next, in: flow, state: next, rollback: rollback)
    }

    private func follow(_ route: Step.Route, in flow: Flow, state: ConversationState, rollback: Snapshot?, actions: [FlowAction] = []) -> Move {
        switch route {
        case .step(let name):
            return self.enter(name, in: flow, state: state, rollback: rollback, actions: actions)
        case .finish(let prompt):
            return Move(actions: actions + [.finished(prompt?.resolved(in: state.data))], state: nil)
        case .stay(let prompt):
            return self.stay(saying: prompt?.resolved(in: state.data), state: state, rollback: rollback, actions: actions)
        }
    }

    /// Undoes the event: back to `rollback`, or the end when there is nothing to go back to.
    private func stay(saying prompt: Prompt?, state: ConversationState, rollback: Snapshot?, actions: [FlowAction] = []) -> Move {
        guard let rollback else { return Move(actions: actions + [.finished(prompt)], state: nil) }
        return Move(actions: actions + (prompt.map { [.notice($0)] } ?? []), state: state.restored(rollback))
    }

    /// Moves forward to the step `name`, remembering the current one for **Back**.
    private func enter(_ name: String, in flow: Flow, state: ConversationState, rollback: Snapshot?, actions: [FlowAction]) -> Move {
        guard let target = flow.step(name) else {
            // Only an unvalidated registry gets here.
            return Move(actions: actions + [.expired], state: nil)
        }
        var next = state
        next.history.append(state.step)
        next.step = name
        next.version &+= 1
        return self.arrive(at: target, state: next, rollback: rollback, actions: actions)
    }

    func goBack(in flow: Flow, state: ConversationState) -> Move? {
        guard let previous = state.history.last, let target = flow.step(previous) else { return nil }
        var next = state
        next.history.removeLast()
        next.step = previous
        next.version &+= 1
        return self.arrive(at: target, state: next, rollback: Snapshot(state))
    }

    /// Runs the step's `onEnter` call, or shows it; `state` is already at the step.
    func arrive(at step: Step, state: ConversationState, rollback: Snapshot?, actions: [FlowAction] = []) -> Move {
        var next = state
        if let onEnter = step.onEnter {
            let call = onEnter.call(with: next)
            next.pending = PendingCall(purpose: .enter, call: call, rollback: rollback)
            return Move(actions: actions + [.call(call)], state: next)
        }
        return self.present(step, state: next, actions: actions)
    }

    private func present(_ step: Step, state: ConversationState, actions: [FlowAction]) -> Move {
        if case .dynamicChoice(let key, let empty?, _) = step.input.rule, (state.data[key]?.count ?? 0) == 0 {
            return Move(actions: actions + [.finished(Prompt(empty))], state: nil)
        }
        return Move(actions: actions + [.show(self.screen(step, state: state))], state: state)
    }

    func resolve(_ outcome: ServiceOutcome, of pending: PendingCall, at step: Step, in flow: Flow, state: ConversationState) -> Move {
        var current = state
        current.pending = nil
        switch outcome {
        case .success(let fields):
            current.data.merge(fields) { $1 }
            switch pending.purpose {
            case .enter:
                return self.present(step, state: current, actions: [])
            case .action:
                let route = step.successRoute ?? self.chosenNext(at: step, state: current).map(Step.Route.step) ?? step.next
                return self.follow(route, in: flow, state: current, rollback: pending.rollback)
            }
        case .failure(let kind, let messageKey):
            let message = Prompt(messageKey ?? self.messages.failure(kind))
            let route = pending.purpose == .action ? step.failureRoutes[kind] ?? .stay() : .stay()
            switch route {
            case .stay(let prompt):
                return self.stay(saying: prompt?.resolved(in: current.data) ?? message, state: current, rollback: pending.rollback)
            case .finish(let prompt):
                return Move(actions: [.finished(prompt?.resolved(in: current.data) ?? message)], state: nil)
            case .step(let name):
                return self.enter(name, in: flow, state: current, rollback: pending.rollback, actions: [.notice(message)])
            }
        }
    }

    /// The branch of the static choice stored at `step`, if it has one.
    private func chosenNext(at step: Step, state: ConversationState) -> String? {
        guard case .choice(let choices, _) = step.input.rule, let value = state.data[step.storeKey]?.string else { return nil }
        return choices.first(where: { $0.value == value })?.next
    }

    func cancelled() -> Move {
        Move(actions: [.finished(Prompt(self.messages.cancelled))], state: nil)
    }
}
