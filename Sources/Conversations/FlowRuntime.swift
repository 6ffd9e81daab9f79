/// Runs flows: a value-type state machine from `(state, event)` to a
/// ``Transition`` (actions and the new state). It does no I/O and reads no
/// clock; service calls are actions the driver performs and answers with
/// ``FlowEvent/serviceResult(_:)``.
///
/// The rules a driver relies on:
/// - **Versions.** Every change of the conversation bumps
///   ``ConversationState/version``, and every screen's buttons carry it. A
///   press with another version, or any event for a conversation that does
///   not exist (expired, never started), gives ``FlowAction/expired`` and
///   changes nothing. `/cancel` (``FlowEvent/cancel``) always ends the flow.
/// - **Invalid input** (text out of bounds, a number out of range, input of
///   the wrong kind) is explained with a notice and the same screen; the
///   state does not change, so the screen's buttons stay valid.
/// - **Chains of calls.** One event may lead to several calls (an action,
///   then the next step's `onEnter`). If a call fails and its route is
///   ``Step/Route/stay(_:)`` (the default), the whole event is undone: the
///   state is exactly what it was before the event, version included, so the
///   button that was pressed (**Confirm**) is still current and pressing it
///   again retries, with the same ``ServiceCall/idempotencyKey``.
/// - **Back** goes to the previous step, entering it again (its `onEnter`
///   runs again); the data keeps what was entered, and the screen shows it as
///   ``Screen/previous``.
public struct FlowRuntime: Sendable {
    public let registry: FlowRegistry

    /// Creates a runtime for the flows of `registry`.
    public init(_ registry: FlowRegistry) {
        self.registry = registry
    }

    /// Starts `flow` at its first step with `data` already known.
    ///
    /// - Parameter id: names this run of the flow: unique per start (the
    ///   update that started it serves well), it seeds the version and the
    ///   idempotency keys of the run's calls.
    /// - Returns: the first screen, or a call to make first (the first step's
    ///   `onEnter`). `changed` is always true: whatever was stored for the
    ///   conversation is replaced (or cleared, if the flow ended at once).
    public func start(flow name: String, data: [String: FlowValue] = [:], id: String) throws -> Transition {
        guard let flow = self.registry.flow(named: name), let first = flow.steps.first else {
            throw FlowRuntimeError(code: .unknownFlow, message: "no flow named '\(name)' with steps to start")
        }
        let state = ConversationState(
            flow: name,
            id: id,
            step: first.name,
            data: data,
            version: ConversationState.initialVersion(for: id)
        )
        let move = self.arrive(at: first, state: state, rollback: nil)
        return Transition(actions: move.actions, state: move.state, changed: true)
    }

    /// Handles one event for the conversation in `state` (nil when none is stored).
    public func handle(_ event: FlowEvent, state: ConversationState?) -> Transition {
        let move = if let state { self.react(to: event, in: state) } else { self.withoutConversation(event) }
        return Transition(actions: move.actions, state: move.state, changed: move.state != state)
    }
}

/// What one step of the machine decided.
struct Move {
    var actions: [FlowAction]
    var state: ConversationState?
}

extension FlowRuntime {
    var messages: FlowMessages { self.registry.messages }

    private func withoutConversation(_ event: FlowEvent) -> Move {
        event == .cancel ? self.cancelled() : Move(actions: [.expired], state: nil)
    }

    private func react(to event: FlowEvent, in state: ConversationState) -> Move {
        guard let flow = self.registry.flow(named: state.flow), let step = flow.step(state.step) else {
            // Stored by a version whose flows differ: nothing here can continue it.
            return Move(actions: [.expired], state: nil)
        }
        if let pending = state.pending {
            if case .serviceResult(let outcome) = event {
                return self.resolve(outcome, of: pending, at: step, in: flow, state: state)
            }
            // The driver lost the call's outcome: the event that made it never happened.
            guard let rollback = pending.rollback else { return self.withoutConversation(event) }
            return self.react(to: event, in: state.restored(rollback))
        }
        switch event {
        case .serviceResult:
            return Move(actions: [], state: state)
        case .cancel:
            return self.cancelled()
        case .back:
            let back = step.showsBack ? self.goBack(in: flow, state: state) : nil
            return back ?? Move(actions: [.show(self.screen(step, state: state))], state: state)
        case .button(let press):
            guard press.version == state.version else { return Move(actions: [.expired], state: state) }
            // A value this screen never offered is as stale as an old version.
            return self.press(press.value, at: step, in: flow, state: state) ?? Move(actions: [.expired], state: state)
        case .text(let text):
            return self.text(text, at: step, in: flow, state: state)
        case .photo(let fileID):
            return self.photo(fileID, at: step, in: flow, state: state)
        case .contact(let phone):
            guard case .contact = step.input.rule else { return self.wrongKind(at: step, state: state) }
            return self.accept(.string(phone), at: step, in: flow, state: state)
        case .location(let latitude, let longitude):
            guard case .location = step.input.rule else { return self.wrongKind(at: step, state: state) }
            return self.accept(.string("\(latitude),\(longitude)"), at: step, in: flow, state: state)
        }
    }
}
