public import Hummingbird

/// An error that ends a request to the gateway with a status and a JSON body
/// `{"error": code, "message": message}`.
///
/// Messages never quote a token, a secret or a field's value, so they are safe
/// to return to any client and to log.
public struct GatewayHTTPError: HTTPResponseError, CustomStringConvertible, Sendable {
    /// Why the request was refused; also the `reason` label of
    /// `gateway_webhook_rejections_total`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case methodNotAllowed = "method_not_allowed"
            case forbiddenAddress = "forbidden_address"
            case badSecret = "bad_secret"
            case bodyTooLarge = "body_too_large"
            case invalidJSON = "invalid_json"
            case malformedUpdate = "malformed_update"
            case unavailable = "unavailable"
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The endpoint takes only POST (405).
        public static let methodNotAllowed = Code(.methodNotAllowed)
        /// The client's address is outside the allowlist (403).
        public static let forbiddenAddress = Code(.forbiddenAddress)
        /// The secret-token header is missing or wrong (401).
        public static let badSecret = Code(.badSecret)
        /// The body exceeds the configured cap (413).
        public static let bodyTooLarge = Code(.bodyTooLarge)
        /// The body is not well-formed JSON, or not an object (400).
        public static let invalidJSON = Code(.invalidJSON)
        /// The body is JSON but not a valid update (400).
        public static let malformedUpdate = Code(.malformedUpdate)
        /// The update could not be taken in now; Telegram retries (503).
        public static let unavailable = Code(.unavailable)

        public var description: String { self.base.rawValue }
    }

    /// Why the request was refused.
    public let code: Code
    /// The HTTP status the client receives.
    public let status: HTTPResponse.Status
    /// What went wrong and, where the client can act, what to do.
    public let message: String
    /// Extra response headers (`Allow` for 405, `Retry-After` for 503).
    public let headers: HTTPFields

    /// Creates an error.
    public init(code: Code, status: HTTPResponse.Status, message: String, headers: HTTPFields = [:]) {
        self.code = code
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String {
        "\(self.status.code) \(self.code): \(self.message)"
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = JSONText.render([("error", .string(self.code.description)), ("message", .string(self.message))])
        return Response(status: self.status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body + "\n")))
    }
}
