public import Hummingbird
import HummingbirdCore
public import NIOCore
public import Logging
public import OpenSSLTLS

/// Builds one of the gateway's Hummingbird applications — the webhook
/// listener (webhook routes and `/health`) or the admin listener (`/health`,
/// `/ready`, `/metrics`) — over plain HTTP or OpenSSL TLS.
public enum GatewayApplication {
    /// The application type `make` returns.
    public typealias App = Application<RouterResponder<GatewayRequestContext>>

    /// Creates the application; run it in a `ServiceGroup`.
    /// - Parameters:
    ///   - routes: Adds the listener's routes to the router.
    ///   - host: Address to bind.
    ///   - port: Port to bind; 0 picks a free one (reported to `onServerRunning`).
    ///   - tls: The certificate store; nil serves plain HTTP (behind a TLS proxy).
    ///   - idleTimeout: An idle keep-alive connection is closed after this long.
    ///   - logger: The server's logger.
    ///   - onServerRunning: Called with the bound port once the server listens.
    public static func make(
        routes: (Router<GatewayRequestContext>) -> Void,
        host: String,
        port: Int,
        tls: TLSContextStore?,
        idleTimeout: TimeAmount = .seconds(60),
        logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> App {
        let router = Router(context: GatewayRequestContext.self)
        routes(router)
        let http = HTTP1Channel.Configuration(idleTimeout: idleTimeout)
        return Application(
            router: router,
            server: tls.map { .http1OverOpenSSL(tls: $0, configuration: http) } ?? .http1(configuration: http),
            configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger
        )
    }
}
