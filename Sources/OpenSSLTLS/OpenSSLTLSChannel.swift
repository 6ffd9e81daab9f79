public import HummingbirdCore
public import Logging
public import NIOCore

/// A Hummingbird child channel that puts OpenSSL TLS in front of another
/// child channel (usually `HTTP1Channel`), as HummingbirdTLS's `TLSChannel`
/// does with NIOSSL.
public struct OpenSSLTLSChannel<BaseChannel: ServerChildChannel>: ServerChildChannel {
    public typealias Value = BaseChannel.Value

    private let baseChannel: BaseChannel
    private let contexts: TLSContextStore

    /// Wraps `baseChannel` so each connection first completes a TLS handshake
    /// using the context `contexts` holds when the connection opens.
    /// - Parameters:
    ///   - baseChannel: The child channel that handles the decrypted bytes.
    ///   - contexts: Where the current certificate and settings come from.
    public init(_ baseChannel: BaseChannel, contexts: TLSContextStore) {
        self.baseChannel = baseChannel
        self.contexts = contexts
    }

    /// Adds the TLS handler, then lets the base channel set up the rest.
    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = self.contexts.contextForNewConnection()
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(OpenSSLServerHandler(context: context, logger: logger))
        }.flatMap {
            self.baseChannel.setup(channel: channel, logger: logger)
        }
    }

    /// Hands the connection to the base channel.
    public func handle(value: Value, logger: Logger) async {
        await self.baseChannel.handle(value: value, logger: logger)
    }
}

extension OpenSSLTLSChannel: HTTPChannelHandler where BaseChannel: HTTPChannelHandler {
    /// The base channel's HTTP responder.
    public var responder: HTTPChannelHandler.Responder {
        self.baseChannel.responder
    }
}
