/// Parameters of `getUpdates`: long polling, for when no webhook is set.
/// Returns the pending ``Update``s, oldest first.
public struct GetUpdates: BotAPIMethod, Hashable {
    public typealias Result = [Update]
    public static let name = "getUpdates"

    /// One more than the last `update_id` handled; confirms everything before it.
    public var offset: Int?
    /// At most this many updates, 1 to 100.
    public var limit: Int?
    /// Seconds Telegram holds the request open waiting for an update; 0 answers at once.
    public var timeout: Int?
    /// Update types to receive; nil keeps the previous setting.
    public var allowedUpdates: [String]?

    /// Creates the parameters.
    public init(offset: Int? = nil, limit: Int? = nil, timeout: Int? = nil, allowedUpdates: [String]? = nil) {
        self.offset = offset
        self.limit = limit
        self.timeout = timeout
        self.allowedUpdates = allowedUpdates
    }

    /// The poll timeout: the HTTP request must outlast it.
    public var serverHoldTime: Duration {
        .seconds(max(timeout ?? 0, 0))
    }

    enum CodingKeys: String, CodingKey {
        case offset
        case limit
        case timeout
        case allowedUpdates = "allowed_updates"
    }
}
