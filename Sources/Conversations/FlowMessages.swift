/// The catalog keys the runtime itself uses, whatever the flow: button labels,
/// the cancel message, and what a failed call says when neither the flow nor
/// the service names a message. ``FlowRegistry/validate(keys:)`` checks them too.
public struct FlowMessages: Sendable, Hashable {
    public var back: String
    public var cancel: String
    public var skip: String
    public var confirm: String
    /// Said when a flow is cancelled.
    public var cancelled: String
    /// Said for a failed call, by failure kind.
    public var failures: [ServiceFailure: String]
    /// Said for a failed call of a kind ``failures`` has no key for.
    public var unexpected: String

    /// The keys of the gateway's catalogs (`invalid` says `error.unexpected`).
    public init(
        back: String = "button.back",
        cancel: String = "button.cancel",
        skip: String = "button.skip",
        confirm: String = "button.confirm",
        cancelled: String = "common.cancelled",
        failures: [ServiceFailure: String] = [
            .unavailable: "error.service_unavailable",
            .conflict: "error.conflict",
            .notFound: "error.not_found",
            .forbidden: "error.forbidden",
        ],
        unexpected: String = "error.unexpected"
    ) {
        self.back = back
        self.cancel = cancel
        self.skip = skip
        self.confirm = confirm
        self.cancelled = cancelled
        self.failures = failures
        self.unexpected = unexpected
    }

    /// What a failure says when the service named no message of its own.
    func failure(_ kind: ServiceFailure) -> String {
        self.failures[kind] ?? self.unexpected
    }
}
