public import RedisClient

/// Dead letters in Redis: one list per bot, `{prefix:bot}:deadletters`,
/// oldest first, each entry a ``DeadLetter`` as JSON; only the newest
/// `capacity` are kept.
///
/// Read them with `redis-cli LRANGE '{gw:shop}:deadletters' -10 -1`, or ``recent(of:limit:)``.
public struct RedisDeadLetterStore: DeadLetterStore {
    /// The default number of letters kept per bot.
    public static let defaultCapacity = 10_000

    private let client: any RedisCommandRunner
    private let prefix: String
    private let capacity: Int

    /// Creates a store on `client` under `keyPrefix` (`REDIS_KEY_PREFIX`) that
    /// keeps the newest `capacity` letters of each bot.
    public init(client: any RedisCommandRunner, keyPrefix: String, capacity: Int = Self.defaultCapacity) {
        self.client = client
        self.prefix = keyPrefix
        self.capacity = max(1, capacity)
    }

    /// The list of `bot`'s dead letters; it carries the bot's hash tag, like its queues.
    public func key(of bot: BotID) -> String {
        "{\(self.prefix):\(bot.name)}:deadletters"
    }

    public func add(_ letter: DeadLetter) async throws {
        let key = self.key(of: letter.bot)
        // One round trip: the push and the trim run back to back, so the list
        // is over its cap only between the two.
        let replies = try await self.client.pipeline([
            ["RPUSH", .string(key), .bytes(try letter.encoded())],
            ["LTRIM", .string(key), .integer(-self.capacity), -1],
        ])
        for reply in replies {
            _ = try reply.get()
        }
        DeadLetterMetrics.record(letter)
    }

    /// `bot`'s newest letters, at most `limit`, oldest first.
    public func recent(of bot: BotID, limit: Int = 100) async throws -> [DeadLetter] {
        guard limit > 0 else { return [] }
        let reply = try await self.client.send("LRANGE", .string(self.key(of: bot)), .integer(-limit), -1)
        return try (reply.array ?? []).compactMap(\.bytes).map(DeadLetter.decode)
    }
}
