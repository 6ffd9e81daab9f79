public import CoreMetrics
public import Prometheus
public import TelegramBotAPI

/// The gateway's metric names and labels, in one place, recorded through
/// swift-metrics (so any backend works) and exported by ``MetricsEndpoint``
/// in Prometheus text.
///
/// Other parts record through the same value: a Bot API client's observer
/// is ``record(_:)``, which calls ``recordBotAPICall(method:outcome:duration:)``
/// and ``recordRateLimited(method:retryAfter:)``; queues call
/// ``recordQueueDepth(_:queue:)``. Label values are a small closed set
/// (method names, outcomes, bot names); never a chat or user id.
public struct GatewayMetrics: Sendable {
    /// `gateway_updates_received_total{bot, kind}`: valid updates accepted by the webhook.
    public static let updatesReceived = "gateway_updates_received_total"
    /// `gateway_webhook_rejections_total{bot, reason}`: requests refused, by ``GatewayHTTPError/Code``.
    public static let webhookRejections = "gateway_webhook_rejections_total"
    /// `gateway_webhook_duration_seconds{bot}`: time from request head to response.
    public static let webhookDuration = "gateway_webhook_duration_seconds"
    /// `gateway_bot_api_calls_total{method, outcome}`: Bot API calls by outcome
    /// (`ok`, `error`, `rate_limited`, `network`).
    public static let botAPICalls = "gateway_bot_api_calls_total"
    /// `gateway_bot_api_call_duration_seconds{method}`.
    public static let botAPICallDuration = "gateway_bot_api_call_duration_seconds"
    /// `gateway_bot_api_rate_limited_total{method}`: 429 answers from Telegram.
    public static let botAPIRateLimited = "gateway_bot_api_rate_limited_total"
    /// `gateway_bot_api_retry_after_seconds{method}`: the last `retry_after` received.
    public static let botAPIRetryAfter = "gateway_bot_api_retry_after_seconds"
    /// `gateway_queue_depth{queue}`: items waiting in a named queue.
    public static let queueDepth = "gateway_queue_depth"

    /// Buckets of the latency histograms, from half a millisecond (an
    /// acknowledged webhook) to 30 seconds (a slow Bot API upload).
    public static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    private struct CallKey: Hashable, Sendable {
        let method: String
        let outcome: String
    }

    private let callCounters = MetricHandles<CallKey, CoreMetrics.Counter>()
    private let callTimers = MetricHandles<String, CoreMetrics.Timer>()

    /// Creates a recorder; it writes to the bootstrapped `MetricsSystem`, and
    /// keeps the handles it makes (make it after bootstrapping, and keep it).
    public init() {}

    /// A Prometheus factory with the gateway's histogram buckets; pass it to
    /// `MetricsSystem.bootstrap` once, and `registry` to ``MetricsEndpoint``.
    public static func makeFactory(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.durationBuckets
        return factory
    }

    /// The per-request series of one bot's webhook, looked up once: making a
    /// handle takes the registry's lock, which every request would otherwise
    /// contend on.
    struct WebhookSeries: Sendable {
        let bot: BotID
        let received: [String: CoreMetrics.Counter]
        let duration: CoreMetrics.Timer

        func recordReceived(_ update: Update) {
            let kind = update.kind.fieldName
            (self.received[kind] ?? CoreMetrics.Counter(label: GatewayMetrics.updatesReceived, dimensions: [("bot", bot.name), ("kind", kind)]))
                .increment()
        }

        func recordRejection(_ code: GatewayHTTPError.Code) {
            CoreMetrics.Counter(label: GatewayMetrics.webhookRejections, dimensions: [("bot", bot.name), ("reason", code.description)]).increment()
        }

        func recordDuration(_ duration: Duration) {
            self.duration.recordNanoseconds(duration.nanoseconds)
        }
    }

    /// Handles for `bot`'s webhook; make them after `MetricsSystem.bootstrap`.
    func webhookSeries(bot: BotID) -> WebhookSeries {
        WebhookSeries(
            bot: bot,
            received: Dictionary(uniqueKeysWithValues: Update.Kind.fieldNames.map { kind in
                (kind, CoreMetrics.Counter(label: Self.updatesReceived, dimensions: [("bot", bot.name), ("kind", kind)]))
            }),
            duration: CoreMetrics.Timer(label: Self.webhookDuration, dimensions: [("bot", bot.name)])
        )
    }

    /// Records one Bot API call.
    /// - Parameters:
    ///   - method: The Bot API method, such as `sendMessage`.
    ///   - outcome: `ok`, `error`, `rate_limited` or `network`.
    ///   - duration: Time from sending the request to the end of the answer.
    public func recordBotAPICall(method: String, outcome: String, duration: Duration) {
        self.callCounters.handle(CallKey(method: method, outcome: outcome)) {
            CoreMetrics.Counter(label: Self.botAPICalls, dimensions: [("method", method), ("outcome", outcome)])
        }.increment()
        self.callTimers.handle(method) {
            CoreMetrics.Timer(label: Self.botAPICallDuration, dimensions: [("method", method)])
        }.recordNanoseconds(duration.nanoseconds)
    }

    /// Records one Bot API call; pass it as the `BotAPIClient` observer.
    public func record(_ call: BotAPICallRecord) {
        recordBotAPICall(method: call.method, outcome: call.outcome.rawValue, duration: call.duration)
        if call.outcome == .rateLimited {
            recordRateLimited(method: call.method, retryAfter: call.retryAfter ?? .zero)
        }
    }

    /// Records a 429 from Telegram and the pause it asked for.
    public func recordRateLimited(method: String, retryAfter: Duration) {
        CoreMetrics.Counter(label: Self.botAPIRateLimited, dimensions: [("method", method)]).increment()
        CoreMetrics.Gauge(label: Self.botAPIRetryAfter, dimensions: [("method", method)]).record(Double(retryAfter.nanoseconds) / 1e9)
    }

    /// Records how many items wait in `queue` now.
    public func recordQueueDepth(_ depth: Int, queue: String) {
        self.queueDepthGauge(queue: queue).record(depth)
    }

    /// The depth gauge of `queue`, to keep for a queue that records often.
    public func queueDepthGauge(queue: String) -> CoreMetrics.Gauge {
        CoreMetrics.Gauge(label: Self.queueDepth, dimensions: [("queue", queue)])
    }
}

extension Duration {
    /// Whole nanoseconds, saturating at `Int64.max` (about 292 years).
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled &+ attoseconds / 1_000_000_000
    }
}

extension Update.Kind {
    /// The Bot API field name of the kind (`message`, `callback_query`), for
    /// logs and metric labels; `unsupported` for every kind this library does
    /// not model, so the set of label values stays closed.
    /// Every value ``fieldName`` takes.
    public static let fieldNames = [
        "message", "edited_message", "channel_post", "callback_query", "inline_query",
        "my_chat_member", "chat_member", "unsupported",
    ]

    public var fieldName: String {
        switch self {
        case .message: "message"
        case .editedMessage: "edited_message"
        case .channelPost: "channel_post"
        case .callbackQuery: "callback_query"
        case .inlineQuery: "inline_query"
        case .myChatMember: "my_chat_member"
        case .chatMember: "chat_member"
        case .unsupported: "unsupported"
        }
    }
}
