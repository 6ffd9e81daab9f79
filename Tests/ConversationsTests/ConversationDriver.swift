import Conversations
import Testing

/// Plays the gateway for runtime tests: keeps the state, feeds each call's
/// outcome back through the pure API, and records every call and action.
struct ConversationDriver {
    let runtime: FlowRuntime
    var state: ConversationState?
    /// Answers calls by name; a missing service is unavailable.
    var services: [String: (ServiceCall) -> ServiceOutcome]
    private(set) var calls: [ServiceCall] = []
    /// The actions of the last event, calls included.
    private(set) var actions: [FlowAction] = []
    /// The last screen shown by any event: what the user sees and presses,
    /// still there after an event that only said something.
    private(set) var visibleScreen: Screen?

    init(registry: FlowRegistry = SampleFlows.registry, services: [String: (ServiceCall) -> ServiceOutcome] = [:]) {
        self.runtime = FlowRuntime(registry)
        self.services = services
    }

    mutating func start(_ flow: String, id: String = "run-1") throws {
        try self.settle(self.runtime.start(flow: flow, id: id))
    }

    mutating func send(_ event: FlowEvent) {
        self.settle(self.runtime.handle(event, state: self.state))
    }

    /// Presses the button of the visible screen whose label is `label`.
    mutating func press(_ label: ButtonLabel, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let press = try self.press(for: label, sourceLocation: sourceLocation)
        self.send(.button(press))
    }

    /// The press of the visible screen's button labelled `label`.
    func press(for label: ButtonLabel, sourceLocation: SourceLocation = #_sourceLocation) throws -> ButtonPress {
        let button = try #require(
            self.visibleScreen?.buttons.joined().first(where: { $0.label == label }),
            "no button \(label) on the visible screen",
            sourceLocation: sourceLocation
        )
        return try #require(ButtonPress.parse(button.callbackData), sourceLocation: sourceLocation)
    }

    /// The last screen shown by the last event.
    var screen: Screen? {
        self.actions.reversed().lazy.compactMap { if case .show(let screen) = $0 { screen } else { nil } }.first
    }

    /// The labels of the last screen's buttons, row by row.
    var labels: [[ButtonLabel]] {
        self.screen?.buttons.map { $0.map(\.label) } ?? []
    }

    /// What the last event said without moving.
    var notices: [Prompt] {
        self.actions.compactMap { if case .notice(let prompt) = $0 { prompt } else { nil } }
    }

    /// How the last event ended the conversation, if it did.
    var finished: Prompt?? {
        self.actions.lazy.compactMap { if case .finished(let prompt) = $0 { prompt } else { nil } }.first
    }

    private mutating func settle(_ first: Transition) {
        var transition = first
        self.actions = transition.actions
        while let call = transition.pendingCall {
            #expect(transition.actions.last == .call(call), "a call is the last action of its transition")
            self.calls.append(call)
            let outcome = self.services[call.name]?(call) ?? .failure(.unavailable)
            transition = self.runtime.handle(.serviceResult(outcome), state: transition.state)
            self.actions += transition.actions
        }
        self.state = transition.state
        self.visibleScreen = self.screen ?? self.visibleScreen
    }
}

extension ServiceOutcome {
    /// A service that always answers `fields`.
    static func always(_ fields: [String: FlowValue] = [:]) -> (ServiceCall) -> ServiceOutcome {
        { _ in .success(fields) }
    }
}
