public import CurlHTTP
import Foundation

/// One call to a downstream service, relative to its base URL.
public struct ServiceRequest: Sendable {
    /// The HTTP method.
    public var method: HTTPRequest.Method
    /// The path from the base URL, such as `/api/v1/requests`; escape values put into it with
    /// ``escaped(_:)``.
    public var path: String
    /// Query parameters in order; escaped when sent.
    public var query: [(name: String, value: String)]
    /// Encoded as the JSON body; nil sends none.
    public var body: (any Encodable & Sendable)?
    /// Sent as `Idempotency-Key`: stable across retries of one user action, so a service that
    /// sees it again answers as the first time.
    public var idempotencyKey: String?
    /// Whether sending twice has the effect of sending once, so every transient failure may be
    /// retried. True for GET, HEAD, PUT, DELETE and any request with an ``idempotencyKey``.
    public var isIdempotent: Bool

    /// Creates a request.
    public init(
        _ method: HTTPRequest.Method,
        _ path: String,
        query: [(name: String, value: String)] = [],
        body: (any Encodable & Sendable)? = nil,
        idempotencyKey: String? = nil,
        isIdempotent: Bool? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.idempotencyKey = idempotencyKey
        self.isIdempotent = isIdempotent ?? ([.get, .head, .put, .delete].contains(method) || idempotencyKey != nil)
    }

    /// `METHOD /path`, for logs and errors: no base URL, no query.
    public var operation: String { "\(method.rawValue) \(path)" }

    /// A value percent-escaped to stand as one path segment.
    public static func escaped(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: unreserved) ?? segment
    }

    /// The path and query to append to the base URL.
    var target: String {
        guard !query.isEmpty else { return path }
        let pairs = query.map { "\(Self.escaped($0.name))=\(Self.escaped($0.value))" }
        return path + "?" + pairs.joined(separator: "&")
    }

    /// RFC 3986's unreserved characters: everything else is escaped, `/`, `?`, `&` and `=` included.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
