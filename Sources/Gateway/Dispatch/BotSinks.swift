public import TelegramBotAPI

/// Hands each update to its own bot's sink, so bots that share a listener
/// never share a queue or workers: one slow bot cannot fill another's.
public struct BotSinks: UpdateSink {
    private let sinks: [BotID: any UpdateSink]

    /// Creates the router over one sink per bot.
    public init(_ sinks: [BotID: any UpdateSink]) {
        self.sinks = sinks
    }

    public func accept(_ update: Update, raw: [UInt8], bot: BotID) async throws {
        guard let sink = self.sinks[bot] else {
            // The webhook serves only configured bots; this is a programming error, refused like a closed sink.
            throw UpdateSinkError(code: .closed, message: "no dispatcher serves bot \(bot)")
        }
        try await sink.accept(update, raw: raw, bot: bot)
    }
}
