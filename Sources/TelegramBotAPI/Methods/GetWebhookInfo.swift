/// Parameters of `getWebhookInfo` (there are none): returns ``WebhookInfo``.
public struct GetWebhookInfo: BotAPIMethod, Hashable {
    public typealias Result = WebhookInfo
    public static let name = "getWebhookInfo"

    /// Creates the parameters.
    public init() {}
}
