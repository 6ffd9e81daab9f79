/// A request for `HTTPClient.execute(_:)`.
public struct HTTPRequest: Sendable {
    /// An HTTP method; any token works, the common ones have names.
    public struct Method: Sendable, Hashable, RawRepresentable {
        public var rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        public static let get = Method(rawValue: "GET")
        public static let head = Method(rawValue: "HEAD")
        public static let post = Method(rawValue: "POST")
        public static let put = Method(rawValue: "PUT")
        public static let patch = Method(rawValue: "PATCH")
        public static let delete = Method(rawValue: "DELETE")
    }

    /// What the request carries after its headers.
    public enum Body: Sendable {
        /// No body; methods other than GET and HEAD still send `Content-Length: 0`.
        case none
        /// Raw bytes; `Content-Type` defaults to `application/octet-stream` unless a header sets it.
        case bytes([UInt8])
        /// A `multipart/form-data` body; the boundary and `Content-Type` are generated.
        case multipart([MultipartPart])
    }

    /// The request method.
    public var method: Method
    /// The absolute `http` or `https` URL.
    public var url: String
    /// Header fields sent in addition to those the client adds (`User-Agent`, `Accept-Encoding`).
    public var headers: [HTTPHeader]
    /// The request body.
    public var body: Body
    /// The time the whole exchange may take; `nil` uses `Configuration.timeout`.
    public var timeout: Duration?
    /// The time connecting (TCP and TLS) may take; `nil` uses `Configuration.connectTimeout`.
    public var connectTimeout: Duration?

    /// Creates a request.
    public init(
        method: Method = .get,
        url: String,
        headers: [HTTPHeader] = [],
        body: Body = .none,
        timeout: Duration? = nil,
        connectTimeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }
}
