import Dispatch
import Gateway
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Synchronization
import TelegramBotAPI

/// libFuzzer's entry point: raw bytes as a client would send them on the
/// webhook listener's connection. They are parsed by the same NIO HTTP/1.1
/// decoder, limits and HTTPTypes codec that `GatewayApplication` installs,
/// and each request (the last may be cut short) goes through the Hummingbird
/// router with the real ``WebhookEndpoint`` registered, which yields a status.
///
/// Besides crashes, these outcomes are findings: a 500 for a complete request
/// (the route threw something other than a `GatewayHTTPError`), a 200 whose
/// body did not reach the sink byte for byte, and a 200 for a request whose
/// body was cut short.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let input = ByteBuffer(bytes: UnsafeRawBufferPointer(start: start, count: count))
    for request in WebhookHarness.shared.parse(input).prefix(WebhookHarness.maxRequestsPerInput) {
        let status = WebhookHarness.shared.respond(to: request)
        let delivered = WebhookHarness.shared.sink.takeLastBody()
        guard request.isComplete else {
            precondition(status != .ok && delivered == nil, "an update accepted from a body cut short")
            continue
        }
        precondition(status != .internalServerError, "the webhook answered 500")
        if status == .ok {
            precondition(delivered == request.body, "200 without the body reaching the sink")
        }
    }
    return 0
}

/// What is built once per process: the router with the endpoint on it.
private final class WebhookHarness: Sendable {
    static let shared = WebhookHarness()
    /// Pipelined requests past this many are dropped, to keep each input cheap.
    static let maxRequestsPerInput = 8

    /// One request as the decoder delivered it, in its chunks.
    struct ParsedRequest {
        var head: HTTPRequest
        var chunks: [ByteBuffer]
        /// False when the input ended before the request did.
        var isComplete = false
        var body: [UInt8] { self.chunks.flatMap { Array($0.readableBytesView) } }
    }

    let sink = RecordingSink()
    private let responder: RouterResponder<GatewayRequestContext>
    private let limits = IngressLimits()
    private let logger: Logger
    /// A trusted proxy on loopback, so `X-Forwarded-For` is parsed too.
    private let peer = try! SocketAddress(ipAddress: "127.0.0.1", port: 40_000)

    private init() {
        var logger = Logger(label: "fuzz-webhook")
        logger.logLevel = .critical
        self.logger = logger
        let bots = [
            WebhookBot(id: BotID("main"), path: "/webhook", secret: SecretToken("s3cret")),
            WebhookBot(id: BotID("support"), path: "/webhook/support", secret: SecretToken("support-secret_1")),
        ]
        let policy = ClientAddressPolicy(
            allowlist: IPNetwork.telegram + [IPNetwork("127.0.0.0/8")!, IPNetwork("::1")!],
            trustedProxies: [IPNetwork("127.0.0.1")!]
        )
        // A small cap, so inputs of a few KiB reach the 413 paths.
        let options = WebhookEndpoint.Options(maxBodyBytes: 2048, addressPolicy: policy)
        let router = Router(context: GatewayRequestContext.self)
        WebhookEndpoint(bots: bots, options: options, sink: self.sink, logger: logger).register(on: router)
        self.responder = router.buildResponder()
    }

    /// The requests in `input`, decoded as `HTTP1Channel` decodes a
    /// connection's bytes. What follows a parse error is lost, as it is when
    /// the real server closes the connection. The last request may be
    /// incomplete: its route runs from the head, as on the server, and its
    /// body ends in an error where the server would hit the body deadline.
    func parse(_ input: ByteBuffer) -> [ParsedRequest] {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderFieldSize = self.limits.maxHeaderBytes
        decoderLimits.maxHeaderListSize = self.limits.maxHeaderBytes
        decoderLimits.maxHeaderFieldCount = self.limits.maxHeaderCount
        do {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                withPipeliningAssistance: false,
                withErrorHandling: false,
                withOutboundHeaderValidation: false,
                withEncoderConfiguration: .init(),
                withDecoderLimitConfiguration: decoderLimits
            )
            try channel.pipeline.syncOperations.addHandler(HTTP1ToHTTPServerCodec(secure: false))
        } catch {
            fatalError("cannot set up the HTTP pipeline: \(error)")
        }
        channel.remoteAddress = self.peer
        // A parse error ends the connection; requests completed before it stand.
        _ = try? channel.writeInbound(input)
        var requests: [ParsedRequest] = []
        var current: ParsedRequest?
        while let part = try? channel.readInbound(as: HTTPRequestPart.self) {
            switch part {
            case .head(let head):
                current = ParsedRequest(head: head, chunks: [])
            case .body(let chunk):
                current?.chunks.append(chunk)
            case .end:
                if var request = current {
                    request.isComplete = true
                    requests.append(request)
                }
                current = nil
            }
        }
        if let current { requests.append(current) }
        return requests
    }

    /// Runs the router on `request` and returns the status Hummingbird's
    /// `Application` would send: an `HTTPResponseError`'s own, or 500 for
    /// anything else.
    func respond(to parsed: ParsedRequest) -> HTTPResponse.Status {
        // Only the context reads this channel, for the peer's address;
        // finishing it breaks its pipeline's reference cycle.
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish(acceptAlreadyClosed: true) }
        channel.remoteAddress = self.peer
        let context = GatewayRequestContext(source: ApplicationRequestContextSource(channel: channel, logger: self.logger))
        let request = Request(head: parsed.head, body: RequestBody(asyncSequence: Chunks(chunks: parsed.chunks, isComplete: parsed.isComplete)))
        let responder = self.responder
        let status = Mutex<HTTPResponse.Status?>(nil)
        let done = DispatchSemaphore(value: 0)
        // Nothing on this path awaits anything that is not ready, so the task
        // usually finishes before `immediate` returns: no thread hop per input.
        Task.immediate {
            let answer: HTTPResponse.Status
            do {
                answer = try await responder.respond(to: request, context: context).status
            } catch {
                answer = .internalServerError
            }
            status.withLock { $0 = answer }
            done.signal()
        }
        done.wait()
        return status.withLock { $0 } ?? .internalServerError
    }
}

/// Keeps the last body the endpoint handed over.
private final class RecordingSink: UpdateSink {
    private let lastBody = Mutex<[UInt8]?>(nil)

    func accept(_ update: Update, raw: [UInt8], bot: BotID) async throws {
        self.lastBody.withLock { $0 = raw }
    }

    /// The last body accepted, cleared so the next 200 must set it again.
    func takeLastBody() -> [UInt8]? {
        self.lastBody.withLock { body in
            defer { body = nil }
            return body
        }
    }
}

/// A request body delivered in the chunks the decoder produced; one cut
/// short throws after its last chunk, as the server's does at the deadline.
private struct Chunks: AsyncSequence, Sendable {
    struct CutShort: Error {}

    let chunks: [ByteBuffer]
    let isComplete: Bool

    struct AsyncIterator: AsyncIteratorProtocol {
        var remaining: IndexingIterator<[ByteBuffer]>
        let isComplete: Bool

        mutating func next() async throws -> ByteBuffer? {
            if let chunk = self.remaining.next() { return chunk }
            guard self.isComplete else { throw CutShort() }
            return nil
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(remaining: self.chunks.makeIterator(), isComplete: self.isComplete)
    }
}
