/// One bot as the webhook sees it: its name, its route and its secret.
public struct WebhookBot: Sendable {
    /// The bot's name.
    public var id: BotID
    /// The route Telegram posts to, such as `/webhook` or `/webhook/support`.
    public var path: String
    /// The expected `X-Telegram-Bot-Api-Secret-Token`.
    public var secret: SecretToken

    /// Creates a bot entry.
    public init(id: BotID, path: String, secret: SecretToken) {
        self.id = id
        self.path = path
        self.secret = secret
    }
}
