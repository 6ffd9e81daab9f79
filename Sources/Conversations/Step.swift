/// One question of a flow: its prompt, the input it accepts, where the input
/// is stored, and where the flow goes next.
///
/// A step is a value configured by chained modifiers:
///
/// ```swift
/// Step("address", prompt: "request.address.prompt",
///      accepts: .text(3...200, invalid: "request.address.invalid"))
///     .next("photo")
/// ```
///
/// By default the input is stored under the step's name, the step shows
/// **Back** (when there is a step to go back to) and **Cancel**, and without
/// a `next` the conversation finishes after it.
public struct Step: Sendable {
    /// The step's name, unique within its flow.
    public let name: String
    var prompt: Prompt
    var input: Input
    var storeKey: String
    var next: Route = .finish()
    var showsBack = true
    var showsCancel = true
    var onEnter: ServiceCall.Template?
    var action: ServiceCall.Template?
    var successRoute: Route?
    var failureRoutes: [ServiceFailure: Route] = [:]

    /// Creates a step.
    public init(_ name: String, prompt: Prompt, accepts input: Input) {
        self.name = name
        self.prompt = prompt
        self.input = input
        self.storeKey = name
    }

    /// Stores the input under `key` instead of the step's name.
    public func store(as key: String) -> Step {
        var step = self
        step.storeKey = key
        return step
    }

    /// Goes to the named step once the input is accepted (and the action, if
    /// any, succeeded without its own ``onSuccess(_:)`` route).
    public func next(_ step: String) -> Step {
        self.next(.step(step))
    }

    /// Goes where `route` says once the input is accepted.
    public func next(_ route: Route) -> Step {
        var step = self
        step.next = route
        return step
    }

    /// Whether **Back** is shown (it never is on the first screen of a conversation).
    public func back(_ shown: Bool) -> Step {
        var step = self
        step.showsBack = shown
        return step
    }

    /// Whether **Cancel** is shown. `/cancel` leaves the flow either way.
    public func cancel(_ shown: Bool) -> Step {
        var step = self
        step.showsCancel = shown
        return step
    }

    /// Calls `service` each time the step is entered, before its screen is
    /// shown, sending the data under `dataKeys` and the constants `values`;
    /// the result is merged into the data (options for a dynamic choice, the
    /// details a summary shows). If the call fails, the event that entered the
    /// step is undone (see ``Route/stay(_:)``) with the failure's message.
    public func onEnter(_ service: String, with dataKeys: [String] = [], values: [String: FlowValue] = [:]) -> Step {
        var step = self
        step.onEnter = ServiceCall.Template(name: service, dataKeys: dataKeys, values: values)
        return step
    }

    /// Calls `service` once the input is accepted and stored, sending the data
    /// under `dataKeys` and the constants `values`. Success merges the result
    /// into the data and goes to ``onSuccess(_:)`` (by default `next`); a
    /// failure goes to its ``onFailure(_:_:)`` route (by default
    /// ``Route/stay(_:)`` with the failure's message, so the same button retries).
    public func action(_ service: String, with dataKeys: [String] = [], values: [String: FlowValue] = [:]) -> Step {
        var step = self
        step.action = ServiceCall.Template(name: service, dataKeys: dataKeys, values: values)
        return step
    }

    /// Where a successful action leads; by default the step's `next`.
    public func onSuccess(_ route: Route) -> Step {
        var step = self
        step.successRoute = route
        return step
    }

    /// Where a failed action of the kind `failure` leads.
    public func onFailure(_ failure: ServiceFailure, _ route: Route) -> Step {
        var step = self
        step.failureRoutes[failure] = route
        return step
    }
}
