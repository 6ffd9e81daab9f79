import Foundation
public import RedisClient

/// Dead letters in Redis, per bot: a hash `{prefix:bot}:dead` (letter id →
/// ``DeadLetter`` as JSON) and a sorted set `{prefix:bot}:dead:index` (id by
/// time, in milliseconds), both under the bot's hash tag like its queues;
/// only the newest `capacity` are kept.
///
/// Read them with `bot-gateway dead-letters list`, or
/// `redis-cli HGETALL '{gw:shop}:dead'`.
public struct RedisDeadLetterStore: DeadLetterStore {
    /// The default number of letters kept per bot.
    public static let defaultCapacity = 10_000

    private let client: any RedisCommandRunner
    private let prefix: String
    private let capacity: Int

    /// Keeps a letter and trims the oldest past the capacity, in one step.
    /// KEYS: letters, index. ARGV: id, JSON, time (ms), capacity.
    private static let keep = RedisScript("""
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
        local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
        if extra > 0 then
          local gone = redis.call('ZPOPMIN', KEYS[2], extra)
          for i = 1, #gone, 2 do redis.call('HDEL', KEYS[1], gone[i]) end
        end
        return 1
        """)

    /// Creates a store on `client` under `keyPrefix` (`REDIS_KEY_PREFIX`) that
    /// keeps the newest `capacity` letters of each bot.
    public init(client: any RedisCommandRunner, keyPrefix: String, capacity: Int = Self.defaultCapacity) {
        self.client = client
        self.prefix = keyPrefix
        self.capacity = max(1, capacity)
    }

    /// The hash of `bot`'s dead letters; it carries the bot's hash tag, like its queues.
    public func key(of bot: BotID) -> String {
        "{\(self.prefix):\(bot.name)}:dead"
    }

    /// The sorted set of `bot`'s letter ids by time.
    public func indexKey(of bot: BotID) -> String {
        "\(self.key(of: bot)):index"
    }

    public func add(_ letter: DeadLetter) async throws {
        let time = letter.time.timeIntervalSince1970 * 1000
        let milliseconds = time.isFinite ? Int(max(min(time, 1e15), 0)) : 0
        _ = try await self.client.evaluate(
            Self.keep,
            keys: [.string(self.key(of: letter.bot)), .string(self.indexKey(of: letter.bot))],
            arguments: [.string(letter.id), .bytes(try letter.encoded()), .integer(milliseconds), .integer(self.capacity)]
        )
        DeadLetterMetrics.record(letter)
    }

    /// `bot`'s newest letters, at most `limit`, oldest first.
    public func recent(of bot: BotID, limit: Int = 100) async throws -> [DeadLetter] {
        guard limit > 0 else { return [] }
        let ids = try await self.client.send("ZRANGE", .string(self.indexKey(of: bot)), .integer(-limit), -1).array ?? []
        guard !ids.isEmpty else { return [] }
        let letters = try await self.client.send(["HMGET", .string(self.key(of: bot))] + ids.map { .bytes($0.bytes ?? []) }).array ?? []
        return try letters.compactMap(\.bytes).map(DeadLetter.decode)
    }

    /// `bot`'s letter `id`; nil when there is none.
    public func letter(_ id: String, of bot: BotID) async throws -> DeadLetter? {
        let reply = try await self.client.send("HGET", .string(self.key(of: bot)), .string(id))
        return try reply.bytes.map(DeadLetter.decode)
    }

    /// Removes `bot`'s letter `id`; false when there was none.
    @discardableResult
    public func remove(_ id: String, of bot: BotID) async throws -> Bool {
        let replies = try await self.client.pipeline([
            ["HDEL", .string(self.key(of: bot)), .string(id)],
            ["ZREM", .string(self.indexKey(of: bot)), .string(id)],
        ])
        return try replies[0].get().int == 1
    }

    /// How many letters `bot` has.
    public func count(of bot: BotID) async throws -> Int {
        try await self.client.send("ZCARD", .string(self.indexKey(of: bot))).int ?? 0
    }
}
