import NIOCore

/// Reads bytes from the socket, decodes every complete reply in them and
/// hands the replies to the connection's waiters.
final class RedisReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let pending: PendingReplies
    private let reader: RESPReader
    private var decoded: [RedisValue] = []

    init(pending: PendingReplies, reader: RESPReader) {
        self.pending = pending
        self.reader = reader
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        do {
            try buffer.withUnsafeReadableBytes { bytes throws(RedisError) in try reader.feed(bytes) }
            while let value = try reader.next() {
                decoded.append(value)
            }
        } catch {
            fail(context: context, error: error)
            return
        }
        guard !decoded.isEmpty else { return }
        let matched = pending.deliver(decoded)
        decoded.removeAll(keepingCapacity: true)
        if !matched {
            fail(context: context, error: RedisError(code: .protocolError, message: "Redis sent a reply that no command asked for"))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        pending.close(with: RedisError(
            code: .connectionClosed,
            message: "the connection to Redis closed before the reply arrived; the command may or may not have run"
        ))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, error: RedisError(
            code: .connectionClosed,
            message: "the connection to Redis failed (\(error)); the command may or may not have run"
        ))
    }

    private func fail(context: ChannelHandlerContext, error: RedisError) {
        pending.close(with: error)
        context.close(promise: nil)
    }
}
