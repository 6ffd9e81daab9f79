/// Why a call to a downstream service did not return its answer.
///
/// It names the service, the HTTP status and the service's own error code and message when
/// there was an answer. Its text never holds an access token (a service message that echoes
/// one is redacted), a base URL or a query string.
public struct DownstreamError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, stable enough to switch on.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case unavailable
            case rateLimited
            case unauthorized
            case forbidden
            case blocked
            case notFound
            case conflict
            case invalid
            case notConfigured
            case cancelled
            case unexpected
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// 5xx, timeouts or connection failures on every attempt, or the circuit breaker is open.
        public static let unavailable = Code(.unavailable)
        /// 429 on every attempt, or a `Retry-After` longer than the client waits.
        public static let rateLimited = Code(.rateLimited)
        /// 401 even after logging in again.
        public static let unauthorized = Code(.unauthorized)
        /// 403: the acting user may not do this.
        public static let forbidden = Code(.forbidden)
        /// The auth service reports the user as blocked; the gateway acts for them no more.
        public static let blocked = Code(.blocked)
        /// 404: no such user, request or shift.
        public static let notFound = Code(.notFound)
        /// 409: the state changed first, such as a shift someone else took.
        public static let conflict = Code(.conflict)
        /// 400 or 422: the service refused the values sent.
        public static let invalid = Code(.invalid)
        /// The service's base URL is not configured.
        public static let notConfigured = Code(.notConfigured)
        /// The calling task was cancelled or the HTTP client shut down.
        public static let cancelled = Code(.cancelled)
        /// Anything else: another status, or an answer that is not the contract's JSON.
        public static let unexpected = Code(.unexpected)

        public var description: String { base.rawValue }
    }

    /// The kind of failure.
    public var code: Code
    /// The service called.
    public var service: String
    /// What happened, for logs: the operation (method and path, never the base URL or query)
    /// and the outcome.
    public var message: String
    /// The HTTP status of the last answer, if there was one.
    public var status: Int?
    /// The `error.code` of the service's answer, such as `conflict`.
    public var serviceCode: String?
    /// The `error.message` of the service's answer.
    public var serviceMessage: String?
    /// How long the service asked to wait (`Retry-After`), for ``Code/rateLimited``.
    public var retryAfter: Duration?

    /// Creates an error.
    public init(
        _ code: Code,
        service: String,
        message: String,
        status: Int? = nil,
        serviceCode: String? = nil,
        serviceMessage: String? = nil,
        retryAfter: Duration? = nil
    ) {
        self.code = code
        self.service = service
        self.message = message
        self.status = status
        self.serviceCode = serviceCode
        self.serviceMessage = serviceMessage
        self.retryAfter = retryAfter
    }

    public var description: String {
        var text = "DownstreamError.\(code) from the \(service) service: \(message)"
        if let serviceCode {
            text += " [\(serviceCode)\(serviceMessage.map { ": \($0)" } ?? "")]"
        }
        return text
    }
}
