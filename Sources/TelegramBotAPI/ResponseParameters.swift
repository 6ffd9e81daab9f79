/// Why a Bot API request failed and how to recover (Bot API `ResponseParameters`).
public struct ResponseParameters: Codable, Sendable, Hashable {
    /// The group became a supergroup with this id; resend there.
    public var migrateToChatID: Int64?
    /// Seconds to wait before repeating the request (with error 429).
    public var retryAfter: Int?

    /// Creates response parameters; used by emulators and tests.
    public init(migrateToChatID: Int64? = nil, retryAfter: Int? = nil) {
        self.migrateToChatID = migrateToChatID
        self.retryAfter = retryAfter
    }

    enum CodingKeys: String, CodingKey {
        case migrateToChatID = "migrate_to_chat_id"
        case retryAfter = "retry_after"
    }
}
