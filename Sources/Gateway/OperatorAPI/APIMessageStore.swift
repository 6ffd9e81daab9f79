import Foundation
public import RedisClient
public import TelegramBotAPI

/// The operator API's messages in Redis, all under the bot's hash tag:
///
/// - `{p:b}:api:next` — the last message number given out.
/// - `{p:b}:api:m:<n>` — hash: `status` (`queued`, `sent`, `failed`),
///   `priority`, `call` (the Bot API call, as ``OutboxEnvelope`` stores
///   it), `chat`, `created`, then `sent_at` and `message_id`, or
///   `error_code` and `error`. Kept 7 days after it settles.
/// - `{p:b}:api:queue` — sorted set of numbers waiting: `high` before
///   `normal` before `low`, first come first served within one.
/// - `{p:b}:api:flight` — sorted set: numbers an instance took, by when its
///   lease lapses; a lapsed one goes back to the queue (the instance died).
/// - `{p:b}:api:idem:<key>` — the first answer to an `Idempotency-Key`, 24 h.
///
/// Enqueueing, claiming and settling are each one script: a message is
/// queued exactly once, and sent again only if its sender died between
/// Telegram's answer and the settle (as for the conversation outbox).
public struct APIMessageStore: Sendable {
    let client: RedisClient
    private let keyPrefix: String

    /// How long a settled message's status stays readable.
    static let retention = 7 * 24 * 3600
    /// How long an `Idempotency-Key`'s first answer is kept.
    public static let idempotencyWindow = 24 * 3600

    /// Creates the store over `client`, with keys under `keyPrefix`.
    public init(client: RedisClient, keyPrefix: String) {
        self.client = client
        self.keyPrefix = keyPrefix
    }

    func tag(_ bot: BotID) -> String { "{\(self.keyPrefix):\(bot.name)}" }

    /// What ``enqueue(_:bot:idempotencyKey:answer:)`` did.
    public enum Enqueued: Sendable, Hashable {
        /// Queued as message `number`.
        case queued(number: Int)
        /// The key was used before; its first answer.
        case replayed(String)
    }

    /// A message ready to queue.
    public struct Message: Sendable {
        public var call: OutboundCall
        public var priority: OutboundSender.Priority
        public var subject: String?
        public var schedule: String?

        public init(call: OutboundCall, priority: OutboundSender.Priority, subject: String?, schedule: String? = nil) {
            self.call = call
            self.priority = priority
            self.subject = subject
            self.schedule = schedule
        }
    }

    /// Queues `message` for `bot`; with an idempotency key, only if the key
    /// is new, storing the answer `answer(number)` gives for it.
    public func enqueue(
        _ message: Message, bot: BotID, idempotencyKey: String?, answer: @Sendable (Int) -> String
    ) async throws -> Enqueued {
        let tag = self.tag(bot)
        let call = try OutboxEnvelope.encode(message.call)
        let chat: Int64 = if case .chat(let id, _) = message.call.destination { id } else { 0 }
        // The answer names the number the script picks: it is made from a marker the script replaces.
        let template = answer(Self.numberMarker)
        let reply = try await self.client.evaluate(
            Self.enqueueScript,
            keys: [.string("\(tag):api:next"), .string("\(tag):api:queue"), .string(idempotencyKey.map { "\(tag):api:idem:\($0)" } ?? "\(tag):api:none")],
            arguments: [
                .string("\(tag):api:m:"), .bytes(call), .string(message.priority.rawValue), .integer(Self.rank(message.priority)),
                .string(String(chat)), .string(message.subject ?? ""), .string(message.schedule ?? ""),
                .string(idempotencyKey == nil ? "" : template), .string(String(Self.numberMarker)), .integer(Self.idempotencyWindow),
            ]
        )
        guard let fields = reply.array, fields.count == 2 else { throw Self.unexpected(reply) }
        if fields[0].int == 1, let first = fields[1].string { return .replayed(first) }
        guard let number = fields[1].int else { throw Self.unexpected(reply) }
        return .queued(number: number)
    }

    static let numberMarker = 987_654_321_987

    /// Queue order: the rank's band, then arrival.
    static func rank(_ priority: OutboundSender.Priority) -> Int {
        switch priority {
        case .high: 0
        case .normal: 1
        case .low: 2
        }
    }

    /// Up to `count` queued messages of `bot`, taken for `lease`; lapsed leases go back first.
    func claim(bot: BotID, count: Int, lease: Duration) async throws -> [(number: Int, priority: OutboundSender.Priority, call: [UInt8])] {
        let tag = self.tag(bot)
        let reply = try await self.client.evaluate(
            Self.claimScript,
            keys: [.string("\(tag):api:queue"), .string("\(tag):api:flight")],
            arguments: [.string("\(tag):api:m:"), .integer(count), .integer(Int(lease.components.seconds) * 1000)]
        )
        guard let items = reply.array else { throw Self.unexpected(reply) }
        var claimed: [(number: Int, priority: OutboundSender.Priority, call: [UInt8])] = []
        var index = 0
        while index + 2 < items.count {
            if let number = items[index].int, let priority = items[index + 1].string.flatMap(OutboundSender.Priority.init(rawValue:)),
               let call = items[index + 2].bytes
            {
                claimed.append((number, priority, call))
            }
            index += 3
        }
        return claimed
    }

    /// Extends the leases of `numbers` still in flight.
    func renew(bot: BotID, numbers: [Int], lease: Duration) async throws {
        guard !numbers.isEmpty else { return }
        let tag = self.tag(bot)
        try await self.client.evaluate(
            Self.renewScript, keys: [.string("\(tag):api:flight")],
            arguments: [.integer(Int(lease.components.seconds) * 1000)] + numbers.map { .integer($0) })
    }

    /// How a message ended.
    public enum Settlement: Sendable, Hashable {
        case sent(messageID: Int)
        case failed(code: Int, description: String)
    }

    /// Records how message `number` ended and takes it out of flight.
    func settle(bot: BotID, number: Int, as settlement: Settlement) async throws {
        let tag = self.tag(bot)
        var fields: [RedisArgument]
        switch settlement {
        case .sent(let messageID): fields = ["sent", "message_id", .string(String(messageID))]
        case .failed(let code, let description): fields = ["failed", "error_code", .string(String(code)), "error", .string(description)]
        }
        try await self.client.evaluate(
            Self.settleScript, keys: [.string("\(tag):api:flight"), .string("\(tag):api:m:\(number)")],
            arguments: [.integer(number), .integer(Self.retention)] + fields)
    }

    /// Message `number` of `bot` as stored, or nil.
    public func message(bot: BotID, number: Int) async throws -> [String: String]? {
        let reply = try await self.client.send("HGETALL", .string("\(self.tag(bot)):api:m:\(number)"))
        let fields = reply.fields
        return fields.isEmpty ? nil : fields
    }

    /// Messages of `bot` queued and in flight.
    public func depth(bot: BotID) async throws -> (queued: Int, inFlight: Int) {
        let tag = self.tag(bot)
        let replies = try await self.client.pipeline([["ZCARD", .string("\(tag):api:queue")], ["ZCARD", .string("\(tag):api:flight")]])
        return (try replies[0].get().int ?? 0, try replies[1].get().int ?? 0)
    }

    static func unexpected(_ reply: RedisValue) -> RedisError {
        RedisError(code: .protocolError, message: "unexpected reply from an operator API script: \(reply)")
    }

    /// KEYS: next, queue, idempotency key. ARGV: record prefix, call, priority, rank,
    /// chat, subject, schedule, answer template (empty: no key), marker, key TTL.
    /// Returns `{1, first answer}` for a used key, else `{0, number}`.
    static let enqueueScript = RedisScript(
        """
        if ARGV[8] ~= '' then
          local first = redis.call('GET', KEYS[3])
          if first then return {1, first} end
        end
        local n = redis.call('INCR', KEYS[1])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('HSET', ARGV[1] .. n, 'status', 'queued', 'priority', ARGV[3], 'call', ARGV[2], 'chat', ARGV[5],
          'created', now, 'subject', ARGV[6], 'schedule', ARGV[7])
        redis.call('ZADD', KEYS[2], tonumber(ARGV[4]) * 10000000000000 + n, n)
        if ARGV[8] ~= '' then
          local answer = string.gsub(ARGV[8], ARGV[9], tostring(n))
          redis.call('SET', KEYS[3], answer, 'EX', tonumber(ARGV[10]))
        end
        return {0, n}
        """
    )

    /// KEYS: queue, flight. ARGV: record prefix, count, lease ms.
    /// Returns `number, priority, call` triples.
    static let claimScript = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local lapsed = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, 100)
        for _, n in ipairs(lapsed) do
          redis.call('ZREM', KEYS[2], n)
          local priority = redis.call('HGET', ARGV[1] .. n, 'priority')
          if priority then
            local rank = ({high = 0, normal = 1, low = 2})[priority] or 1
            redis.call('ZADD', KEYS[1], rank * 10000000000000 + tonumber(n), n)
          end
        end
        local out = {}
        local taken = redis.call('ZPOPMIN', KEYS[1], tonumber(ARGV[2]))
        for i = 1, #taken, 2 do
          local n = taken[i]
          local record = redis.call('HMGET', ARGV[1] .. n, 'priority', 'call', 'status')
          if record[2] and record[3] == 'queued' then
            redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), n)
            table.insert(out, tonumber(n))
            table.insert(out, record[1])
            table.insert(out, record[2])
          end
        end
        return out
        """
    )

    /// KEYS: flight. ARGV: lease ms, numbers.
    static let renewScript = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        for i = 2, #ARGV do
          redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[i])
        end
        return 0
        """
    )

    /// KEYS: flight, record. ARGV: number, retention s, status, then field/value pairs.
    static let settleScript = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZREM', KEYS[1], ARGV[1])
        if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
        redis.call('HSET', KEYS[2], 'status', ARGV[3], 'settled', now)
        for i = 4, #ARGV, 2 do
          redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
        end
        redis.call('HDEL', KEYS[2], 'call')
        redis.call('EXPIRE', KEYS[2], tonumber(ARGV[2]))
        return 1
        """
    )
}
