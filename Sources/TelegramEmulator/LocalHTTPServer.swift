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
/// Connections are served by a plain channel handler rather than `NIOAsyncChannel`: an accepted
/// `NIOAsyncChannel` that the accept loop never takes (the listener closing at that instant)
/// traps when released, and tests stop servers while clients still connect.
///
/// `Sendable` because its mutable state sits behind a `Mutex` and the connection count is atomic.
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
            let wanted = name.lowercased()
            return headers.first { $0.name.lowercased() == wanted }?.value
        }
    }

    /// The answer to one request; the server adds `content-length` unless `transfer-encoding` is set.
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

    private struct State {
        var listener: (any Channel)?
        var port: Int?
        var connections: [ObjectIdentifier: any Channel] = [:]
        var isShutDown = false
    }

    private let requestedPort: Int
    private let handler: Handler
    private let eventLoopGroup: any EventLoopGroup
    private let state = Mutex(State())
    private let acceptedConnections = Atomic<Int>(0)
    private let handlerTasks = HandlerTasks()

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
        state.withLock { $0.port }
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
        let listener = try await ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                self.accept(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        RequestHandler(handler: self.handler, tasks: self.handlerTasks))
                }
            }
            .bind(host: "127.0.0.1", port: requestedPort)
            .get()
        let port = listener.localAddress?.port ?? requestedPort
        state.withLock {
            $0.listener = listener
            $0.port = port
        }
        return port
    }

    /// Stops accepting, closes every connection and cancels the handlers still running.
    public func shutdown() async {
        let (listener, connections) = state.withLock { state in
            state.isShutDown = true
            defer {
                state.listener = nil
                state.connections = [:]
            }
            return (state.listener, Array(state.connections.values))
        }
        try? await listener?.close()
        for connection in connections {
            try? await connection.close()
        }
        await handlerTasks.cancelAndWait()
    }

    private func accept(_ channel: any Channel) {
        acceptedConnections.add(1, ordering: .relaxed)
        let id = ObjectIdentifier(channel)
        let isShutDown = state.withLock { state in
            if !state.isShutDown { state.connections[id] = channel }
            return state.isShutDown
        }
        if isShutDown {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { _ in
            self.state.withLock { _ = $0.connections.removeValue(forKey: id) }
        }
    }
}
