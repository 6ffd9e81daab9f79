/// Why `HTTPClient.execute(_:)` did not return a response.
///
/// The description never contains the request URL: Bot API URLs carry the bot token in their path.
public struct HTTPClientError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, stable enough to switch on.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case invalidURL
            case invalidHeader
            case connectFailed
            case connectTimedOut
            case timedOut
            case tls
            case responseTooLarge
            case cancelled
            case shutdown
            case transport
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The URL could not be parsed or its scheme is not `http` or `https`.
        public static let invalidURL = Code(.invalidURL)
        /// A header field's name or value carries a line break or a NUL, which could smuggle in
        /// fields or a second request.
        public static let invalidHeader = Code(.invalidHeader)
        /// The host could not be resolved or refused the connection.
        public static let connectFailed = Code(.connectFailed)
        /// No connection (TCP and TLS) was made within the connect timeout.
        public static let connectTimedOut = Code(.connectTimedOut)
        /// The exchange did not finish within the total timeout.
        public static let timedOut = Code(.timedOut)
        /// The TLS handshake or the certificate verification failed.
        public static let tls = Code(.tls)
        /// The response body is larger than `Configuration.maxResponseBytes`.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// The calling task was cancelled and its transfer stopped.
        public static let cancelled = Code(.cancelled)
        /// The client was shut down before or while the request ran.
        public static let shutdown = Code(.shutdown)
        /// Any other failure while sending or receiving.
        public static let transport = Code(.transport)

        public var description: String {
            base.rawValue
        }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and what to check, without the URL.
    public var message: String
    /// The libcurl result code (`CURLcode`) behind the failure, when there is one.
    public var curlCode: Int?

    /// Creates an error.
    public init(_ code: Code, message: String, curlCode: Int? = nil) {
        self.code = code
        self.message = message
        self.curlCode = curlCode
    }

    public var description: String {
        "HTTPClientError.\(code): \(message)"
    }
}
