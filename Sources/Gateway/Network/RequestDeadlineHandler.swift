import Logging
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose client is too slow: no complete request head
/// within the header timeout of the connection opening (the TLS handshake
/// counts), no complete body within the body timeout of its head, or no new
/// request within the idle timeout of the last response.
///
/// One timer at a time, re-armed as the connection moves between those
/// phases; a connection busy in our own handler has no timer, since the
/// slowness is then ours.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase {
        case awaitingHead
        case receivingBody
        case idle
    }

    private let limits: IngressLimits
    private let metrics: IngressMetrics
    private let logger: Logger
    private var timer: Scheduled<Void>?
    private var started = false
    /// Requests whose head arrived and whose response has not ended yet.
    private var unanswered = 0
    private var receiving = false

    init(limits: IngressLimits, metrics: IngressMetrics, logger: Logger) {
        self.limits = limits
        self.metrics = metrics
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive {
            self.start(context: context)
        }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.disarm()
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch self.unwrapInboundIn(data) {
        case .head:
            self.unanswered += 1
            self.receiving = true
            self.arm(.receivingBody, context: context)
        case .body:
            break
        case .end:
            self.receiving = false
            self.disarm()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = self.unwrapOutboundIn(data) {
            self.unanswered = max(0, self.unanswered - 1)
            if self.unanswered == 0, !self.receiving {
                self.arm(.idle, context: context)
            }
        }
        context.write(data, promise: promise)
    }

    private func start(context: ChannelHandlerContext) {
        guard !self.started else { return }
        self.started = true
        self.arm(.awaitingHead, context: context)
    }

    private func arm(_ phase: Phase, context: ChannelHandlerContext) {
        self.disarm()
        let timeout: Duration
        switch phase {
        case .awaitingHead: timeout = self.limits.headerTimeout
        case .receivingBody: timeout = self.limits.bodyTimeout
        case .idle: timeout = self.limits.idleTimeout
        }
        self.timer = context.eventLoop.assumeIsolated().scheduleTask(in: TimeAmount(timeout)) {
            self.timer = nil
            self.expire(phase, context: context)
        }
    }

    private func disarm() {
        self.timer?.cancel()
        self.timer = nil
    }

    private func expire(_ phase: Phase, context: ChannelHandlerContext) {
        switch phase {
        case .awaitingHead:
            self.metrics.recordRefused(.headerTimeout)
            self.logger.debug("connection closed: no request head in time", metadata: ["timeout": "\(self.limits.headerTimeout)"])
        case .receivingBody:
            self.metrics.recordRefused(.bodyTimeout)
            self.logger.debug("connection closed: request body too slow", metadata: ["timeout": "\(self.limits.bodyTimeout)"])
        case .idle:
            self.logger.trace("idle connection closed")
        }
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension RequestDeadlineHandler: Sendable {}
