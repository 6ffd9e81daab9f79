import Logging
import NIOCore

/// The server side of TLS for one connection: a duplex handler that turns
/// ciphertext from the socket into plaintext for the handlers above it, and
/// their plaintext into ciphertext for the socket, through an
/// ``SSLConnection`` over memory BIOs.
///
/// Backpressure: this handler never asks the socket for data on its own
/// (except once, like NIOSSL, when a read a downstream handler asked for with
/// auto-read off produced no plaintext), so how fast ciphertext arrives is up
/// to the handlers above, which withhold `read()` while their buffers are full.
/// The plaintext of one socket read is passed on at the end of that read (or
/// sooner, once it reaches ``deliveryThreshold``), never kept back. Writes go
/// straight to the channel as ciphertext, so the channel's writability, which
/// passes through unchanged, reflects them.
final class OpenSSLServerHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case handshaking
        case active
        /// Our close_notify is sent; the socket's output is closed.
        case outputClosed
        case closed
    }

    /// Plaintext held back within one socket read is passed on once it is this large.
    static let deliveryThreshold = 64 * 1024

    private let connection: SSLConnection
    private let handshakeTimeout: TimeAmount
    private let logger: Logger
    private var state = State.handshaking
    private var handshakeTimer: Scheduled<Void>?
    /// Writes made before the handshake finished, sent once it does.
    private var writesAwaitingHandshake: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    private var flushAwaitingHandshake = false
    private var plaintext: ByteBuffer?

    init(context: TLSContext, logger: Logger) throws {
        self.connection = try SSLConnection(context: context)
        self.handshakeTimeout = context.configuration.handshakeTimeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            self.startHandshakeTimer(context: context)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.startHandshakeTimer(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.state = .closed
        self.handshakeTimer?.cancel()
        self.handshakeTimer = nil
        self.failWritesAwaitingHandshake(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        self.connection.receive(self.unwrapInboundIn(data))
        switch self.state {
        case .handshaking:
            self.advanceHandshake(context: context)
        case .active, .outputClosed:
            self.decrypt(context: context)
        case .closed:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !self.deliverPlaintext(context: context) {
            // Nothing reached the handlers above; with auto-read off they
            // would wait forever for the data their read() asked for.
            let autoRead = (try? context.channel.syncOptions?.getOption(ChannelOptions.autoRead)) ?? true
            if !autoRead, self.state != .closed {
                context.read()
            }
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let buffer = self.unwrapOutboundIn(data)
        switch self.state {
        case .handshaking:
            self.writesAwaitingHandshake.append((buffer, promise))
        case .active:
            self.encrypt(context: context, buffer, promise: promise)
        case .outputClosed, .closed:
            promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    func flush(context: ChannelHandlerContext) {
        if self.state == .handshaking {
            self.flushAwaitingHandshake = true
        } else {
            context.flush()
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        switch (self.state, mode) {
        case (.active, .all), (.active, .output):
            self.sendCloseNotify(context: context)
            self.state = mode == .all ? .closed : .outputClosed
        case (.handshaking, .all), (.outputClosed, .all):
            self.state = .closed
        default:
            break
        }
        if self.state == .closed {
            self.handshakeTimer?.cancel()
            self.handshakeTimer = nil
            self.failWritesAwaitingHandshake(ChannelError.ioOnClosedChannel)
        }
        context.close(mode: mode, promise: promise)
    }

    private func startHandshakeTimer(context: ChannelHandlerContext) {
        guard self.handshakeTimer == nil, self.state == .handshaking else { return }
        self.handshakeTimer = context.eventLoop.assumeIsolated().scheduleTask(in: self.handshakeTimeout) {
            guard self.state == .handshaking else { return }
            let error = OpenSSLTLSError(
                code: .handshakeTimedOut,
                message: "client did not finish the handshake within \(self.handshakeTimeout)"
            )
            self.fail(context: context, error)
        }
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        let result = self.connection.handshake()
        self.sendOutput(context: context)
        switch result {
        case .needsMoreData:
            return
        case .failed(let error):
            self.fail(context: context, error)
        case .complete:
            self.state = .active
            self.handshakeTimer?.cancel()
            self.handshakeTimer = nil
            self.logger.trace(
                "TLS handshake complete",
                metadata: [
                    "tls.version": "\(self.connection.protocolVersion)",
                    "tls.alpn": "\(self.connection.negotiatedProtocol ?? "none")",
                ]
            )
            let writes = self.writesAwaitingHandshake
            self.writesAwaitingHandshake = []
            for (buffer, promise) in writes {
                self.encrypt(context: context, buffer, promise: promise)
            }
            if self.flushAwaitingHandshake {
                self.flushAwaitingHandshake = false
                context.flush()
            }
            // The client's first request often arrives in the same read as its Finished.
            self.decrypt(context: context)
        }
    }

    private func decrypt(context: ChannelHandlerContext) {
        while self.state == .active || self.state == .outputClosed {
            var buffer = self.plaintext ?? context.channel.allocator.buffer(capacity: SSLConnection.maximumRecordSize)
            self.plaintext = nil
            let result = self.connection.read(into: &buffer)
            self.plaintext = buffer
            switch result {
            case .bytes:
                if buffer.readableBytes >= Self.deliveryThreshold {
                    _ = self.deliverPlaintext(context: context)
                }
            case .needsMoreData:
                // TLS 1.3 may answer a key update or send tickets while reading.
                self.sendOutput(context: context)
                return
            case .closeNotify:
                self.logger.trace("TLS close_notify from client")
                _ = self.deliverPlaintext(context: context)
                // Through our own close, so the client gets our close_notify too.
                self.close(context: context, mode: .all, promise: nil)
                return
            case .failed(let error):
                self.sendOutput(context: context)
                self.fail(context: context, error)
                return
            }
        }
    }

    /// Passes held plaintext on; true if there was any.
    private func deliverPlaintext(context: ChannelHandlerContext) -> Bool {
        guard let buffer = self.plaintext, buffer.readableBytes > 0 else { return false }
        self.plaintext = nil
        context.fireChannelRead(self.wrapInboundOut(buffer))
        context.fireChannelReadComplete()
        return true
    }

    private func encrypt(context: ChannelHandlerContext, _ buffer: ByteBuffer, promise: EventLoopPromise<Void>?) {
        do {
            try self.connection.write(buffer)
        } catch {
            promise?.fail(error)
            self.fail(context: context, error)
            return
        }
        if let ciphertext = self.connection.takeOutput(allocator: context.channel.allocator) {
            context.write(self.wrapOutboundOut(ciphertext), promise: promise)
        } else {
            promise?.succeed()
        }
    }

    /// Queues close_notify and writes it out. If the socket cannot take it
    /// at once, the close that follows wins: a peer that stopped reading gets
    /// no alert, which it could not read anyway.
    private func sendCloseNotify(context: ChannelHandlerContext) {
        self.connection.shutdown()
        self.sendOutput(context: context)
    }

    /// Writes and flushes whatever ciphertext OpenSSL produced (handshake
    /// messages, alerts, tickets).
    private func sendOutput(context: ChannelHandlerContext) {
        if let ciphertext = self.connection.takeOutput(allocator: context.channel.allocator) {
            context.writeAndFlush(self.wrapOutboundOut(ciphertext), promise: nil)
        }
    }

    private func fail(context: ChannelHandlerContext, _ error: OpenSSLTLSError) {
        guard self.state != .closed else { return }
        self.logger.debug("TLS connection failed", metadata: ["error": "\(error)"])
        self.state = .closed
        self.handshakeTimer?.cancel()
        self.handshakeTimer = nil
        self.failWritesAwaitingHandshake(error)
        context.fireErrorCaught(error)
        context.close(mode: .all, promise: nil)
    }

    private func failWritesAwaitingHandshake(_ error: any Error) {
        let writes = self.writesAwaitingHandshake
        self.writesAwaitingHandshake = []
        for (_, promise) in writes {
            promise?.fail(error)
        }
    }
}

@available(*, unavailable)
extension OpenSSLServerHandler: Sendable {}
