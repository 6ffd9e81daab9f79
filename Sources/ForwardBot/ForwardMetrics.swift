import CoreMetrics
import Gateway

/// The forward bots' counters, labelled by bot and a small closed set of values:
///
/// - `gateway_forward_calls_total{bot, outcome}`: calls to the backend by how
///   they ended — `ok` (2xx), `rejected` (any other status but 408, 429 and 5xx),
///   `rate_limited` (429), `server_error` (5xx), `timeout` (408 or no answer
///   in time), `network` (no connection, TLS, transport); an answer too
///   large to read counts as `rejected`.
/// - `gateway_forward_refusals_total{bot, reason}`: answers refused as a
///   whole, or single actions refused, by ``DeadLetter/Reason``.
/// - `gateway_forward_circuit_waits_total{bot}`: updates that waited for the
///   backend's open breaker.
public enum ForwardMetrics {
    /// The calls counter's name.
    public static let calls = "gateway_forward_calls_total"
    /// The refusals counter's name.
    public static let refusals = "gateway_forward_refusals_total"
    /// The breaker waits counter's name.
    public static let circuitWaits = "gateway_forward_circuit_waits_total"

    static func recordCall(bot: BotID, outcome: String) {
        CoreMetrics.Counter(label: Self.calls, dimensions: [("bot", bot.name), ("outcome", outcome)]).increment()
    }

    static func recordRefusal(bot: BotID, reason: DeadLetter.Reason, count: Int = 1) {
        CoreMetrics.Counter(label: Self.refusals, dimensions: [("bot", bot.name), ("reason", reason.name)]).increment(by: count)
    }

    static func recordCircuitWait(bot: BotID) {
        CoreMetrics.Counter(label: Self.circuitWaits, dimensions: [("bot", bot.name)]).increment()
    }
}
