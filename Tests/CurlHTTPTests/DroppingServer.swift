import NIOCore
import NIOPosix
import Synchronization

/// A raw HTTP/1.1 server that answers the first `answersPerConnection` requests on each
/// connection with `answer` (by default `200 ok`, kept alive, no `Connection: close`) and closes
/// the connection, without a word, on the next one: what a server's idle timeout looks like when
/// it crosses a request. With `closesAfterAnswer` it closes right after each answer instead, which
/// ends a response that announces no length.
final class DroppingServer: Sendable {
    private let channel: any Channel
    private final class Counts: Sendable {
        let value = Mutex((connections: 0, requests: 0, open: 0))
    }

    private let counts = Counts()

    var port: Int { channel.localAddress?.port ?? 0 }
    var connections: Int { counts.value.withLock { $0.connections } }
    var requests: Int { counts.value.withLock { $0.requests } }
    /// Connections accepted and not yet closed.
    var openConnections: Int { counts.value.withLock { $0.open } }

    init(
        answersPerConnection: Int,
        answer: String = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        closesAfterAnswer: Bool = false
    ) async throws {
        let counts = self.counts
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                counts.value.withLock {
                    $0.connections += 1
                    $0.open += 1
                }
                child.closeFuture.whenComplete { _ in counts.value.withLock { $0.open -= 1 } }
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(Handler(answers: answersPerConnection, answer: answer, closesAfterAnswer: closesAfterAnswer, counts: counts))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    func shutdown() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        private var answers: Int
        private let answer: String
        private let closesAfterAnswer: Bool
        private let counts: Counts
        private var received: [UInt8] = []

        init(answers: Int, answer: String, closesAfterAnswer: Bool, counts: Counts) {
            self.answers = answers
            self.answer = answer
            self.closesAfterAnswer = closesAfterAnswer
            self.counts = counts
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += unwrapInboundIn(data).readableBytesView
            // The test requests are GETs: a request ends with its blank line.
            while let end = received.firstRange(of: Array("\r\n\r\n".utf8)) {
                received.removeSubrange(..<end.upperBound)
                counts.value.withLock { $0.requests += 1 }
                guard answers > 0 else {
                    context.close(promise: nil)
                    return
                }
                answers -= 1
                let written = context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer)))
                if closesAfterAnswer {
                    written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                    return
                }
            }
        }
    }
}
