/// Parameters of `deleteWebhook`: stops webhook delivery, e.g. before long polling.
public struct DeleteWebhook: BotAPIMethod, Hashable {
    public typealias Result = Bool
    public static let name = "deleteWebhook"

    /// Drop the updates waiting to be delivered.
    public var dropPendingUpdates: Bool?

    /// Creates the parameters.
    public init(dropPendingUpdates: Bool? = nil) {
        self.dropPendingUpdates = dropPendingUpdates
    }

    enum CodingKeys: String, CodingKey {
        case dropPendingUpdates = "drop_pending_updates"
    }
}
