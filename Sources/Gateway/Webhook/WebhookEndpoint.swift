public import Hummingbird
public import Logging
import HTTPTypes
import TelegramBotAPI

/// `POST {path}` for each configured bot: checks the sender, the secret token,
/// the body's size and shape, hands the update to the ``UpdateSink`` and
/// answers 200 as soon as the sink has it.
///
/// Checks run cheapest and least revealing first — address, secret, size,
/// JSON — so an unauthenticated client learns nothing about the body rules
/// and costs no more than a header lookup.
public struct WebhookEndpoint: Sendable {
    /// Limits and address rules shared by every bot's route.
    public struct Options: Sendable {
        /// The largest body accepted, in bytes; larger bodies get 413 and are
        /// never held in memory whole.
        public var maxBodyBytes: Int
        /// Who may post updates.
        public var addressPolicy: ClientAddressPolicy

        /// Creates options.
        /// - Parameters:
        ///   - maxBodyBytes: Body cap; 1 MiB by default (real updates are a few KiB).
        ///   - addressPolicy: Allowlist and trusted proxies; everyone by default.
        public init(maxBodyBytes: Int = 1 << 20, addressPolicy: ClientAddressPolicy = .init()) {
            self.maxBodyBytes = maxBodyBytes
            self.addressPolicy = addressPolicy
        }
    }

    private static let secretHeader = HTTPField.Name("X-Telegram-Bot-Api-Secret-Token")!
    private static let forwardedForHeader = HTTPField.Name("X-Forwarded-For")!
    private static let otherMethods: [HTTPRequest.Method] = [.get, .head, .put, .delete, .patch, .options]

    private let bots: [WebhookBot]
    private let options: Options
    private let sink: any UpdateSink
    private let series: [String: GatewayMetrics.WebhookSeries]
    private let logger: Logger

    /// Creates the endpoint.
    /// - Parameters:
    ///   - bots: One entry per bot; each path must be distinct.
    ///   - options: Body cap and address rules.
    ///   - sink: Where valid updates go.
    ///   - metrics: Where counts and latencies are recorded; bootstrap the
    ///     metrics system before creating the endpoint.
    ///   - logger: Where rejections are logged (never with the secret).
    public init(bots: [WebhookBot], options: Options = .init(), sink: any UpdateSink, metrics: GatewayMetrics = .init(), logger: Logger) {
        self.bots = bots
        self.options = options
        self.sink = sink
        self.series = Dictionary(bots.map { ($0.path, metrics.webhookSeries(bot: $0.id)) }) { first, _ in first }
        self.logger = logger
    }

    /// Adds `POST` for each bot's path, and 405 for the other methods there.
    public func register(on router: Router<GatewayRequestContext>) {
        for bot in self.bots {
            let series = self.series[bot.path]
            router.post(RouterPath(bot.path)) { request, context in
                try await self.handle(request, context: context, bot: bot, series: series)
            }
            for method in Self.otherMethods {
                router.on(RouterPath(bot.path), method: method) { _, _ -> Response in
                    let error = GatewayHTTPError(
                        code: .methodNotAllowed,
                        status: .methodNotAllowed,
                        message: "the webhook takes only POST",
                        headers: [.allow: "POST"]
                    )
                    series?.recordRejection(error.code)
                    throw error
                }
            }
        }
    }

    private func handle(
        _ request: Request,
        context: GatewayRequestContext,
        bot: WebhookBot,
        series: GatewayMetrics.WebhookSeries?
    ) async throws -> Response {
        let started = ContinuousClock.now
        defer { series?.recordDuration(ContinuousClock.now - started) }
        do {
            try self.checkSender(request, context: context)
            try self.checkSecret(request, bot: bot)
            let raw = try await self.readBody(request)
            let update = try Self.decode(raw)
            try await self.handOver(update, raw: raw, bot: bot)
            series?.recordReceived(update)
            return Response(status: .ok)
        } catch let error as GatewayHTTPError {
            series?.recordRejection(error.code)
            self.log(error, bot: bot, context: context)
            throw error
        }
    }

    private func checkSender(_ request: Request, context: GatewayRequestContext) throws(GatewayHTTPError) {
        let peer = context.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        let forwardedFor = request.headers[values: Self.forwardedForHeader]
        guard self.options.addressPolicy.allows(peer: peer, forwardedFor: forwardedFor) else {
            throw GatewayHTTPError(
                code: .forbiddenAddress,
                status: .forbidden,
                message: "updates are accepted only from the configured address ranges"
            )
        }
    }

    private func checkSecret(_ request: Request, bot: WebhookBot) throws(GatewayHTTPError) {
        let values = request.headers[values: Self.secretHeader]
        guard values.count == 1, bot.secret.matches(values[0]) else {
            throw GatewayHTTPError(
                code: .badSecret,
                status: .unauthorized,
                message: "missing or wrong X-Telegram-Bot-Api-Secret-Token; it must equal the secret_token given to setWebhook"
            )
        }
    }

    /// Reads the body chunk by chunk and stops at the cap, so an oversized or
    /// endless chunked body costs at most `maxBodyBytes` of memory.
    private func readBody(_ request: Request) async throws -> [UInt8] {
        let limit = self.options.maxBodyBytes
        let tooLarge = GatewayHTTPError(
            code: .bodyTooLarge,
            status: .contentTooLarge,
            message: "the body exceeds the limit of \(limit) bytes"
        )
        var expected = 0
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }) {
            guard declared <= limit else { throw tooLarge }
            expected = declared
        }
        var body: [UInt8] = []
        body.reserveCapacity(expected)
        for try await chunk in request.body {
            guard body.count + chunk.readableBytes <= limit else { throw tooLarge }
            body.append(contentsOf: chunk.readableBytesView)
        }
        return body
    }

    private static func decode(_ raw: [UInt8]) throws(GatewayHTTPError) -> Update {
        do {
            return try Update.decode(from: raw)
        } catch {
            let isSyntax = [.invalidUTF8, .invalidJSON, .notAnObject, .nestingTooDeep].contains(error.code)
            throw GatewayHTTPError(
                code: isSyntax ? .invalidJSON : .malformedUpdate,
                status: .badRequest,
                message: error.message
            )
        }
    }

    private func handOver(_ update: Update, raw: [UInt8], bot: WebhookBot) async throws(GatewayHTTPError) {
        do {
            try await self.sink.accept(update, raw: raw, bot: bot.id)
        } catch {
            let reason = (error as? UpdateSinkError)?.message ?? "the update store is unavailable"
            if !(error is UpdateSinkError) {
                self.logger.error("update sink failed", metadata: ["bot": "\(bot.id)", "error": "\(error)"])
            }
            throw GatewayHTTPError(
                code: .unavailable,
                status: .serviceUnavailable,
                message: reason,
                headers: [.retryAfter: "1"]
            )
        }
    }

    private func log(_ error: GatewayHTTPError, bot: WebhookBot, context: GatewayRequestContext) {
        // Failed address and secret checks are what scanners cause all day;
        // anything after them comes from an authenticated sender and matters.
        let level: Logger.Level = [.forbiddenAddress, .badSecret].contains(error.code) ? .debug : .warning
        self.logger.log(
            level: level,
            "webhook request refused",
            metadata: [
                "bot": "\(bot.id)",
                "status": "\(error.status.code)",
                "reason": "\(error.code)",
                "detail": "\(error.message)",
                "peer": "\(context.remoteAddress?.ipAddress ?? "unknown")",
            ]
        )
    }
}
