import NIOCore
import NIOHTTP1

/// One request written to a kept-alive connection and the promise its response completes.
struct HTTPExchange {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var deadline: NIODeadline
    var maxResponseBytes: Int
    var promise: EventLoopPromise<HTTPExchange.Received>

    /// A complete response and whether the connection may carry another exchange.
    struct Received {
        var response: HTTPResponse
        var keepAlive: Bool
    }

    /// Why an exchange failed before its response ended.
    enum Failure: Error {
        /// The peer closed the connection; `beforeResponse` when no byte of a response had come.
        case closed(beforeResponse: Bool)
        case timedOut
        case tooLarge
        case transport(String)
    }
}

/// Runs one exchange at a time on its connection: writes the request, gathers the response and
/// completes the exchange's promise; closes the connection on any failure, the deadline included.
///
/// Every method runs on the connection's event loop, so its state needs no lock.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = HTTPClientRequestPart

    private var current: (promise: EventLoopPromise<HTTPExchange.Received>, maxBytes: Int)?
    private var deadlineTask: Scheduled<Void>?
    private var responseHead: HTTPResponseHead?
    private var body: [UInt8] = []

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard current == nil else {
            exchange.promise.fail(HTTPExchange.Failure.transport("a second request was written to a busy connection"))
            promise?.fail(ChannelError.inappropriateOperationForState)
            return
        }
        current = (exchange.promise, exchange.maxResponseBytes)
        responseHead = nil
        body = []
        deadlineTask = context.eventLoop.assumeIsolated().scheduleTask(deadline: exchange.deadline) { [weak self] in
            self?.fail(.timedOut, context: context)
        }
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body, body.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let current else {
            // A response nobody asked for would answer the next request: the connection is spent.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let head):
            responseHead = head
        case .body(let buffer):
            guard body.count <= current.maxBytes - buffer.readableBytes else {
                fail(.tooLarge, context: context)
                return
            }
            body.append(contentsOf: buffer.readableBytesView)
        case .end:
            guard let head = responseHead else {
                fail(.transport("the response ended without a status line"), context: context)
                return
            }
            self.current = nil
            deadlineTask?.cancel()
            deadlineTask = nil
            let headers = head.headers.map { HTTPHeader(name: $0.name, value: $0.value) }
            let received = HTTPExchange.Received(
                response: HTTPResponse(status: Int(head.status.code), headers: headers, body: body),
                keepAlive: head.isKeepAlive)
            responseHead = nil
            body = []
            current.promise.succeed(received)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.closed(beforeResponse: responseHead == nil), context: context)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.transport(String(describing: error)), context: context)
    }

    private func fail(_ failure: HTTPExchange.Failure, context: ChannelHandlerContext) {
        deadlineTask?.cancel()
        deadlineTask = nil
        let current = self.current
        self.current = nil
        current?.promise.fail(failure)
        context.close(promise: nil)
    }
}
