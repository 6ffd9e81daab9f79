import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 that answers every request with an async handler.
///
/// It is the test-side substrate for the Bot API emulator and for client tests: keep-alive
/// connections, one request at a time per connection, and a count of accepted TCP connections
/// so tests can see whether a client reused its connections.
///
/// `Sendable` because its mutable state (the running listener) sits behind a `Mutex` and the
/// connection count is atomic.
public final class LocalHTTPServer: Sendable {
    /// One request as the handler sees it.
    public struct Request: Sendable {
        /// The request method, such as `GET`.
        public var method: String
        /// The request target: path and query.
        public var uri: String
        /// Header fields in arrival order.
        public var headers: [(name: String, value: String)]
        /// The whole request body.
        public var body: [UInt8]

        /// The first value of a header field, matched case-insensitively.
        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    /// The answer to one request; `content-length` is added by the server.
    public struct Response: Sendable {
        /// The status code, such as 200.
        public var status: Int
        /// Header fields to send.
        public var headers: [(name: String, value: String)]
        /// The whole response body.
        public var body: [UInt8]

        /// Creates a response.
        public init(status: Int = 200, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    /// Answers one request.
    public typealias Handler = @Sendable (Request) async -> Response

    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    private struct Listener: Sendable {
        var port: Int
        var channel: any Channel
        var acceptLoop: Task<Void, Never>
    }

    private let requestedPort: Int
    private let handler: Handler
    private let eventLoopGroup: any EventLoopGroup
    private let listener = Mutex<Listener?>(nil)
    private let acceptedConnections = Atomic<Int>(0)

    /// Creates a server; it listens only after `start()`.
    ///
    /// - Parameters:
    ///   - port: The port to bind on 127.0.0.1; 0 picks a free one.
    ///   - eventLoopGroup: The loops that run the connections.
    ///   - handler: Answers every request.
    public init(
        port: Int = 0,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        handler: @escaping Handler
    ) {
        self.requestedPort = port
        self.eventLoopGroup = eventLoopGroup
        self.handler = handler
    }

    /// The bound port, once started.
    public var port: Int? {
        listener.withLock { $0?.port }
    }

    /// How many TCP connections the server has accepted since it started.
    public var connectionCount: Int {
        acceptedConnections.load(ordering: .relaxed)
    }

    /// Binds the listening socket and begins accepting connections.
    ///
    /// - Returns: The bound port.
    @discardableResult
    public func start() async throws -> Int {
        let serverChannel = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: requestedPort) { channel in
                self.acceptedConnections.add(1, ordering: .relaxed)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        let port = serverChannel.channel.localAddress?.port ?? requestedPort
        let handler = self.handler
        let acceptLoop = Task {
            _ = try? await serverChannel.executeThenClose { inbound in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in inbound {
                            group.addTask { await Self.serve(connection, handler: handler) }
                        }
                    } catch {
                        // The listener closed: shutdown or a socket error ends accepting either way.
                    }
                    group.cancelAll()
                }
            }
        }
        listener.withLock { $0 = Listener(port: port, channel: serverChannel.channel, acceptLoop: acceptLoop) }
        return port
    }

    /// Stops accepting, cancels the handlers still running and closes every connection.
    public func shutdown() async {
        guard let running = listener.withLock({ $0.take() }) else { return }
        try? await running.channel.close()
        running.acceptLoop.cancel()
        await running.acceptLoop.value
    }

    private static func serve(_ connection: Connection, handler: Handler) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body.clear()
                case .body(var chunk):
                    body.writeBuffer(&chunk)
                case .end:
                    guard let requestHead = head else { continue }
                    let request = Request(
                        method: requestHead.method.rawValue,
                        uri: requestHead.uri,
                        headers: requestHead.headers.map { (name: $0.name, value: $0.value) },
                        body: Array(body.readableBytesView)
                    )
                    let response = await handler(request)
                    try await write(response, for: requestHead, to: outbound)
                    if !requestHead.isKeepAlive { return }
                }
            }
        }
    }

    private static func write(
        _ response: Response,
        for request: HTTPRequestHead,
        to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        headers.replaceOrAdd(name: "content-length", value: String(response.body.count))
        if !request.isKeepAlive {
            headers.replaceOrAdd(name: "connection", value: "close")
        }
        let head = HTTPResponseHead(
            version: request.version,
            status: HTTPResponseStatus(statusCode: response.status),
            headers: headers
        )
        try await outbound.write(contentsOf: [
            .head(head),
            .body(.byteBuffer(ByteBuffer(bytes: response.body))),
            .end(nil),
        ])
    }
}
