/// An async HTTP client: `https://` on libcurl's multi interface, plain `http://` on SwiftNIO's
/// event loops (`Configuration.plainHTTPEventLoops`; nil sends those through libcurl too).
///
/// One dedicated thread owns the libcurl handles and drives their transfers; plain HTTP runs on
/// the loop that owns its connection. Either way no call blocks the cooperative pool or an event
/// loop. Connections are kept alive and reused; HTTPS uses HTTP/2 when the server offers it and
/// multiplexes requests over one connection.
///
/// ```swift
/// let client = try HTTPClient()
/// let response = try await client.execute(HTTPRequest(url: "https://api.telegram.org/bot…/getMe"))
/// await client.shutdown()
/// ```
///
/// `Sendable` because it holds only immutable state; the transfer thread it owns synchronises
/// its own queue, and the event-loop transport its pool behind a lock. Call `shutdown()` when done; dropping the last reference also stops the thread.
public final class HTTPClient: Sendable {
    /// The settings this client was created with.
    public let configuration: Configuration
    private let loop: CurlMultiLoop
    private let eventLoopTransport: EventLoopHTTPTransport?

    /// Creates a client and starts its transfer thread.
    ///
    /// - Throws: `HTTPClientError` with code `transport` if libcurl cannot be initialised.
    public init(configuration: Configuration = Configuration()) throws {
        self.configuration = configuration
        self.loop = try CurlMultiLoop(configuration: configuration)
        self.eventLoopTransport = configuration.plainHTTPEventLoops.map {
            EventLoopHTTPTransport(group: $0, configuration: configuration)
        }
    }

    deinit {
        eventLoopTransport?.requestShutdown()
        loop.requestShutdown()
    }

    /// Performs a request and returns the complete response.
    ///
    /// Any status code is a response, not an error. Cancelling the calling task stops the
    /// transfer at once and throws `HTTPClientError` with code `cancelled`.
    ///
    /// - Throws: `HTTPClientError`.
    public func execute(_ request: HTTPRequest) async throws -> HTTPResponse {
        if let unsafe = request.headers.first(where: \.hasUnsafeBytes) {
            throw HTTPClientError(
                .invalidHeader,
                message: "The header field '\(unsafe.safeName)' carries a line break or NUL; remove them from its name and value.")
        }
        if let eventLoopTransport, let target = PlainHTTPTarget(url: request.url) {
            return try await eventLoopTransport.execute(request, to: target)
        }
        let transfer = CurlTransfer(request: request, configuration: configuration)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.continuation = continuation
                if !loop.submit(.start(transfer)) {
                    continuation.resume(throwing: HTTPClientError.shutdown)
                }
            }
        } onCancel: {
            transfer.markCancelled()
            loop.submit(.cancel(transfer))
        }
    }

    /// Stops the transfer thread: requests in flight and later ones fail with code `shutdown`.
    ///
    /// Returns once the thread has released every connection.
    public func shutdown() async {
        await eventLoopTransport?.shutdown()
        await loop.shutdown()
    }
}

extension HTTPClientError {
    static let shutdown = HTTPClientError(.shutdown, message: "The HTTP client was shut down; create a new one to send requests.")
    static let cancelled = HTTPClientError(.cancelled, message: "The calling task was cancelled; the transfer was stopped.")
}
