import NIOCore
import NIOPosix
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A port on 127.0.0.1 that refuses connections until ``open()`` and then
/// forwards each one to a target: a dependency (PostgreSQL, Redis) that is
/// down when the gateway starts and comes up later, from the gateway's view.
public final class TCPProxy: Sendable {
    /// The port the gateway is given.
    public let port: Int
    private let targetHost: String
    private let targetPort: Int
    private let listener = Mutex<(any Channel)?>(nil)

    /// Reserves a free port; nothing listens on it yet.
    public init(targetHost: String, targetPort: Int) throws {
        self.port = try LocalPort.free()
        self.targetHost = targetHost
        self.targetPort = targetPort
    }

    /// Starts accepting and forwarding.
    public func open() async throws {
        let host = self.targetHost
        let port = self.targetPort
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop).connect(host: host, port: port).flatMapThrowing { outbound in
                    let (first, second) = Splice.pair()
                    try inbound.pipeline.syncOperations.addHandler(first)
                    try outbound.pipeline.syncOperations.addHandler(second)
                }
            }
            .bind(host: "127.0.0.1", port: self.port)
            .get()
        self.listener.withLock { $0 = channel }
    }

    /// Stops accepting; connections already forwarded carry on.
    public func close() async {
        let channel = self.listener.withLock { listener in
            defer { listener = nil }
            return listener
        }
        try? await channel?.close()
    }

}

/// One side of a forwarded connection: what it reads, its partner writes;
/// when it closes, so does its partner. Both sides share one event loop.
private final class Splice: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: Splice?
    private var context: ChannelHandlerContext?

    static func pair() -> (Splice, Splice) {
        let first = Splice()
        let second = Splice()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.partner?.context?.writeAndFlush(data, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.partner?.context?.close(promise: nil)
        context.fireChannelInactive()
    }
}
