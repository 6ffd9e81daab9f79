public import ServiceClients

extension DownstreamError.Code {
    /// The localized message key (`locales/*.json`) the UK bot shows the user for this kind of failure.
    public var catalogKey: String {
        switch self {
        // Nothing was lost: the conversation stays, so pressing the button again retries.
        case .unavailable, .rateLimited, .cancelled: "error.service_unavailable"
        case .forbidden: "error.forbidden"
        case .blocked: "error.blocked"
        case .notFound: "error.not_found"
        case .conflict: "error.conflict"
        default: "error.unexpected"
        }
    }
}

extension DownstreamError {
    /// The localized message key to show the user, such as `error.service_unavailable`.
    public var catalogKey: String { self.code.catalogKey }
}
