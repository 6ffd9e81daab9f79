/// The current webhook and how delivery is going (Bot API `WebhookInfo`).
public struct WebhookInfo: Codable, Sendable, Hashable {
    /// Empty when no webhook is set (the bot polls).
    public var url: String
    public var hasCustomCertificate: Bool
    /// Updates waiting to be delivered.
    public var pendingUpdateCount: Int
    public var ipAddress: String?
    /// Unix time of the latest failed delivery.
    public var lastErrorDate: Int?
    /// Why the latest delivery failed, e.g. `Wrong response from the webhook: 502 Bad Gateway`.
    public var lastErrorMessage: String?
    /// Unix time of the latest failure to sync updates between Telegram's data centers.
    public var lastSynchronizationErrorDate: Int?
    public var maxConnections: Int?
    public var allowedUpdates: [String]?

    /// Creates webhook information; used by emulators and tests.
    public init(
        url: String,
        hasCustomCertificate: Bool = false,
        pendingUpdateCount: Int = 0,
        ipAddress: String? = nil,
        lastErrorDate: Int? = nil,
        lastErrorMessage: String? = nil,
        lastSynchronizationErrorDate: Int? = nil,
        maxConnections: Int? = nil,
        allowedUpdates: [String]? = nil
    ) {
        self.url = url
        self.hasCustomCertificate = hasCustomCertificate
        self.pendingUpdateCount = pendingUpdateCount
        self.ipAddress = ipAddress
        self.lastErrorDate = lastErrorDate
        self.lastErrorMessage = lastErrorMessage
        self.lastSynchronizationErrorDate = lastSynchronizationErrorDate
        self.maxConnections = maxConnections
        self.allowedUpdates = allowedUpdates
    }

    enum CodingKeys: String, CodingKey {
        case url
        case hasCustomCertificate = "has_custom_certificate"
        case pendingUpdateCount = "pending_update_count"
        case ipAddress = "ip_address"
        case lastErrorDate = "last_error_date"
        case lastErrorMessage = "last_error_message"
        case lastSynchronizationErrorDate = "last_synchronization_error_date"
        case maxConnections = "max_connections"
        case allowedUpdates = "allowed_updates"
    }
}
