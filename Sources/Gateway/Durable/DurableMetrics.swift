import CoreMetrics

/// Counters of the durable pipeline, `gateway_durable_events_total{bot,event}`:
/// `duplicate` (a redelivered `update_id`), `full` (refused: the conversation
/// is at its cap), `handler_failed` (a handler threw), `step_timeout`,
/// `step_retry` (a failed step backed off for another attempt), `dead_letter`
/// (an update given up on), `undecodable` (an inbox entry that is not an update, kept as a dead letter), `lease_lost` (a step not
/// committed because another instance took over), `taken_over` (a
/// conversation recovered by the sweeper), `replies_taken_over` (a claim of a
/// gone instance freed), `reply_sent`, `reply_refused` (a permanent Bot API
/// error: the reply is a dead letter), `reply_moot` (refused as having
/// nothing to do: "message is not modified", "query is too old"), `reply_retry`.
struct DurableMetrics: Sendable {
    static let events = "gateway_durable_events_total"

    private struct Key: Hashable, Sendable {
        let event: String
        let bot: BotID
    }

    private let counters = MetricHandles<Key, CoreMetrics.Counter>()

    func record(_ event: String, bot: BotID, count: Int = 1) {
        self.counters.handle(Key(event: event, bot: bot)) {
            CoreMetrics.Counter(label: Self.events, dimensions: [("bot", bot.name), ("event", event)])
        }.increment(by: count)
    }
}
