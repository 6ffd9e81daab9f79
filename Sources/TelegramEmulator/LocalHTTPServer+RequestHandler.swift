import NIOCore
import NIOHTTP1

extension LocalHTTPServer {
    /// Collects one request, runs the async handler, writes its response.
    ///
    /// The HTTP pipeline's pipelining helper holds back the next request on the connection until
    /// this response ends, so requests of one connection are answered in order.
    final class RequestHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        private let handler: Handler
        private let tasks: HandlerTasks
        private var head: HTTPRequestHead?
        private var body = ByteBuffer()

        init(handler: @escaping Handler, tasks: HandlerTasks) {
            self.handler = handler
            self.tasks = tasks
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let requestHead):
                head = requestHead
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                guard let requestHead = head else { return }
                head = nil
                let request = Request(
                    method: requestHead.method.rawValue,
                    uri: requestHead.uri,
                    headers: requestHead.headers.map { (name: $0.name, value: $0.value) },
                    body: Array(body.readableBytesView)
                )
                let promise = context.eventLoop.makePromise(of: Response.self)
                tasks.run(request, with: handler, completing: promise)
                promise.futureResult.assumeIsolated().whenSuccess { response in
                    self.write(response, for: requestHead, context: context)
                }
            }
        }

        private func write(_ response: Response, for request: HTTPRequestHead, context: ChannelHandlerContext) {
            var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
            if !headers.contains(name: "transfer-encoding") {
                headers.replaceOrAdd(name: "content-length", value: String(response.body.count))
            }
            if !request.isKeepAlive {
                headers.replaceOrAdd(name: "connection", value: "close")
            }
            let head = HTTPResponseHead(
                version: request.version,
                status: HTTPResponseStatus(statusCode: response.status),
                headers: headers
            )
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
            let ended = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !request.isKeepAlive {
                ended.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            }
        }
    }
}
