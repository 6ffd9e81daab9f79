import NIOCore

/// One request written to a kept-alive connection and the promise its response completes.
struct HTTPExchange {
    /// The request's bytes as they go on the wire: request line, fields and body.
    var request: ByteBuffer
    /// Whether the request is a HEAD, whose response has no body whatever its fields say.
    var isHead: Bool
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

/// Runs one exchange at a time on its connection: writes the request, reads the response with
/// an `HTTPResponseReader` and completes the exchange's promise; closes the connection on any
/// failure, the deadline included.
///
/// Every method runs on the connection's event loop, so its state needs no lock.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = ByteBuffer

    private var current: (promise: EventLoopPromise<HTTPExchange.Received>, reader: HTTPResponseReader)?
    private var deadlineTask: Scheduled<Void>?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        guard current == nil else {
            exchange.promise.fail(HTTPExchange.Failure.transport("a second request was written to a busy connection"))
            promise?.fail(ChannelError.inappropriateOperationForState)
            return
        }
        current = (exchange.promise, HTTPResponseReader(isHeadRequest: exchange.isHead, maxBodyBytes: exchange.maxResponseBytes))
        deadlineTask = context.eventLoop.assumeIsolated().scheduleTask(deadline: exchange.deadline) { [weak self] in
            self?.fail(.timedOut, context: context)
        }
        context.write(wrapOutboundOut(exchange.request), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard current != nil else {
            // A response nobody asked for would answer the next request: the connection is spent.
            context.close(promise: nil)
            return
        }
        var bytes = unwrapInboundIn(data)
        settle(current!.reader.read(&bytes), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if current != nil {
            settle(current!.reader.readEnd(), context: context)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.transport(String(describing: error)), context: context)
    }

    private func settle(_ action: HTTPResponseReader.Action, context: ChannelHandlerContext) {
        switch action {
        case .needMore:
            break
        case .complete(let received):
            let promise = current?.promise
            current = nil
            deadlineTask?.cancel()
            deadlineTask = nil
            promise?.succeed(received)
        case .fail(let failure):
            fail(failure, context: context)
        }
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
