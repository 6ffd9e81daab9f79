public import Hummingbird
import HummingbirdCore
import NIOCore
import NIOPosix
import Synchronization
public import Logging
public import OpenSSLTLS

/// Builds one of the gateway's Hummingbird applications — the webhook
/// listener (webhook routes and `/health`) or the admin listener (`/health`,
/// `/ready`, `/metrics`) — over plain HTTP or OpenSSL TLS, behind the
/// ``IngressGate`` (allowlist at accept, connection cap) and the
/// ``RequestDeadlineHandler`` (head, body and idle deadlines).
public enum GatewayApplication {
    /// The application type `make` returns.
    public typealias App = Application<RouterResponder<GatewayRequestContext>>

    /// The listeners' own event loops. TLS handshakes and request parsing run
    /// here, so a burst of them never queues ahead of the Redis and PostgreSQL
    /// clients' I/O on the shared singleton loops. Made on first use with
    /// ``useThreads(_:)``'s count; lives for the process, as the singleton does.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: listenerThreads.load(ordering: .relaxed))

    private static let listenerThreads = Atomic<Int>(GatewayConfiguration.Threads.defaultCount)
    private static let threadsChosen = Atomic<Bool>(false)

    /// Sizes the listeners' event-loop group and NIO's singleton group (the
    /// clients'). Call it once, first thing, before any listener or client
    /// is made: both groups take their size when first used, and NIO refuses
    /// a second setting.
    public static func useThreads(_ threads: GatewayConfiguration.Threads) {
        precondition(!threadsChosen.exchange(true, ordering: .relaxed), "the event-loop threads are chosen once per process")
        listenerThreads.store(threads.listener, ordering: .relaxed)
        NIOSingletons.groupLoopCountSuggestion = threads.client
    }

    /// Creates the application; run it in a `ServiceGroup`.
    /// - Parameters:
    ///   - name: `webhook` or `admin`; labels the listener's metrics.
    ///   - routes: Adds the listener's routes to the router.
    ///   - host: Address to bind.
    ///   - port: Port to bind; 0 picks a free one (reported to `onServerRunning`).
    ///   - tls: The certificate store; nil serves plain HTTP (behind a TLS proxy).
    ///   - limits: Connection cap, deadlines and header limits.
    ///   - admission: Peers refused at accept; the default admits everyone.
    ///   - logger: The server's logger.
    ///   - onServerRunning: Called with the bound port once the server listens.
    public static func make(
        name: String,
        routes: (Router<GatewayRequestContext>) -> Void,
        host: String,
        port: Int,
        tls: TLSContextStore?,
        limits: IngressLimits = .init(),
        admission: ClientAddressPolicy = .init(),
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> App {
        let router = Router(context: GatewayRequestContext.self)
        routes(router)
        let metrics = IngressMetrics(listener: name)
        let connections = OpenConnections(limit: limits.maxConnections)
        // Hummingbird's own idle timer stays off: the deadline handler keeps
        // the idle deadline with the other two.
        let http = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestDeadlineHandler(limits: limits, metrics: metrics, logger: logger)],
            idleTimeout: nil,
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: limits.maxHeaderBytes,
                maxHeaderListSize: limits.maxHeaderBytes,
                maxHeaderFieldCount: limits.maxHeaderCount
            )
        )
        let server = HTTPServerBuilder { responder in
            let plain = HTTP1Channel(responder: responder, configuration: http)
            guard let tls else {
                return IngressGate(plain, policy: admission, connections: connections, metrics: metrics)
            }
            return IngressGate(OpenSSLTLSChannel(plain, contexts: tls), policy: admission, connections: connections, metrics: metrics)
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            eventLoopGroupProvider: .shared(Self.eventLoops),
            logger: logger
        )
    }
}
