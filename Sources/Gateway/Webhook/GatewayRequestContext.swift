public import Hummingbird
public import NIOCore

/// The request context of the gateway's routes: Hummingbird's core storage
/// plus the peer address, which the webhook's allowlist needs.
public struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket's remote address: the client, or the proxy in front of us.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
