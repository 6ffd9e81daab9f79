/// A call to a downstream service that a flow asks its driver to make; the
/// outcome comes back as ``FlowEvent/serviceResult(_:)``.
public struct ServiceCall: Codable, Sendable, Hashable {
    /// The operation, such as `request.create`; the driver maps it to an endpoint.
    public var name: String
    /// The values taken from the conversation's data (absent keys left out),
    /// and the step's constants.
    public var arguments: [String: FlowValue]
    /// Send as the `Idempotency-Key`: the same while the screen that made the
    /// call is current, so pressing **Confirm** again after a failure repeats
    /// the call with the same key, and a different one once anything changed.
    public var idempotencyKey: String

    /// Creates a call.
    public init(name: String, arguments: [String: FlowValue], idempotencyKey: String) {
        self.name = name
        self.arguments = arguments
        self.idempotencyKey = idempotencyKey
    }
}

extension ServiceCall {
    /// A call as a step defines it: which data keys and constants to send.
    struct Template: Sendable, Hashable {
        var name: String
        var dataKeys: [String]
        var values: [String: FlowValue]

        func call(with state: ConversationState) -> ServiceCall {
            var arguments = self.values
            for key in self.dataKeys {
                if let value = state.data[key] { arguments[key] = value }
            }
            return ServiceCall(
                name: self.name,
                arguments: arguments,
                idempotencyKey: "\(state.id):\(state.step):\(String(state.version, radix: 36))"
            )
        }
    }
}
