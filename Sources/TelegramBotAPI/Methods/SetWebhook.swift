/// Parameters of `setWebhook`: tells Telegram where to deliver updates. With a
/// self-signed `certificate` the call goes as `multipart/form-data`.
public struct SetWebhook: BotAPIMethod, Hashable {
    public typealias Result = Bool
    public static let name = "setWebhook"

    /// The HTTPS URL updates are posted to; empty removes the webhook.
    public var url: String
    /// The public key certificate (PEM) of a self-signed webhook endpoint.
    public var certificate: FileUpload?
    /// The IP address Telegram sends to instead of resolving `url`.
    public var ipAddress: String?
    /// Simultaneous HTTPS connections Telegram may open, 1 to 100 (default 40).
    public var maxConnections: Int?
    /// Update types to receive, e.g. `["message", "callback_query"]`; nil keeps the previous setting.
    public var allowedUpdates: [String]?
    /// Drop the updates waiting to be delivered.
    public var dropPendingUpdates: Bool?
    /// Sent back in `X-Telegram-Bot-Api-Secret-Token` with every update,
    /// 1 to 256 of `A-Z a-z 0-9 _ -`.
    public var secretToken: String?

    /// Creates the parameters.
    public init(
        url: String,
        certificate: FileUpload? = nil,
        ipAddress: String? = nil,
        maxConnections: Int? = nil,
        allowedUpdates: [String]? = nil,
        dropPendingUpdates: Bool? = nil,
        secretToken: String? = nil
    ) {
        self.url = url
        self.certificate = certificate
        self.ipAddress = ipAddress
        self.maxConnections = maxConnections
        self.allowedUpdates = allowedUpdates
        self.dropPendingUpdates = dropPendingUpdates
        self.secretToken = secretToken
    }

    public var uploads: [(field: String, file: FileUpload)] {
        certificate.map { [("certificate", $0)] } ?? []
    }

    // The certificate is no JSON value: it travels as its own form part.
    enum CodingKeys: String, CodingKey {
        case url
        case ipAddress = "ip_address"
        case maxConnections = "max_connections"
        case allowedUpdates = "allowed_updates"
        case dropPendingUpdates = "drop_pending_updates"
        case secretToken = "secret_token"
    }
}
