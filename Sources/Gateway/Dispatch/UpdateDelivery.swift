public import TelegramBotAPI

/// One update as the webhook received it: decoded, raw, and for which bot.
public struct UpdateDelivery: Sendable {
    /// The decoded update.
    public var update: Update
    /// The body exactly as Telegram sent it.
    public var raw: [UInt8]
    /// The bot the update was sent to.
    public var bot: BotID

    /// Creates a delivery.
    public init(update: Update, raw: [UInt8], bot: BotID) {
        self.update = update
        self.raw = raw
        self.bot = bot
    }
}
