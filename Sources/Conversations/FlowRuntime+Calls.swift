extension FlowRuntime {
    /// Starts `flow` and makes every call the start leads to with `perform`,
    /// returning the settled transition (no ``FlowAction/call(_:)`` left in it).
    ///
    /// `perform` reports every failure as a ``ServiceOutcome``; it never throws,
    /// so a chain always ends in a state to save.
    public func start(
        flow name: String,
        data: [String: FlowValue] = [:],
        id: String,
        calling perform: (ServiceCall) async -> ServiceOutcome
    ) async throws -> Transition {
        let first = try self.start(flow: name, data: data, id: id)
        var settled = await self.settle(first, calling: perform)
        settled.changed = true
        return settled
    }

    /// Handles `event` and makes every call it leads to with `perform`,
    /// returning the settled transition (no ``FlowAction/call(_:)`` left in
    /// it); `changed` compares the end state with `state`.
    public func handle(
        _ event: FlowEvent,
        state: ConversationState?,
        calling perform: (ServiceCall) async -> ServiceOutcome
    ) async -> Transition {
        var settled = await self.settle(self.handle(event, state: state), calling: perform)
        settled.changed = settled.state != state
        return settled
    }

    private func settle(_ transition: Transition, calling perform: (ServiceCall) async -> ServiceOutcome) async -> Transition {
        var settled = transition
        while let call = settled.pendingCall {
            let next = self.handle(.serviceResult(await perform(call)), state: settled.state)
            settled.actions = settled.actions.filter { $0 != .call(call) } + next.actions
            settled.state = next.state
        }
        return settled
    }
}
