import Foundation
public import RedisClient
import TelegramBotAPI

/// Schedules in Redis, under the bot's hash tag with its operator API messages:
///
/// - `{p:b}:sched:next` — the last schedule number given out.
/// - `{p:b}:sched:<n>` — hash: `def` (the ``ScheduleDefinition`` as JSON),
///   `next` (the pending occurrence, ms; empty once none is left), `fired`,
///   `skipped` (occurrences missed past the grace), `last_message`, `created`.
/// - `{p:b}:sched:due` — sorted set: schedule numbers by pending occurrence (ms).
/// - `{p:b}:sched:all` — sorted set: every schedule number, for listing.
///
/// An occurrence fires in one script that checks it is still the pending
/// one, queues its message and moves the schedule on: whichever instance
/// runs it first sends it, every other finds the occurrence gone. That
/// compare-and-set needs no lease, and a crash cannot leave an occurrence
/// half-fired.
public struct ScheduleStore: Sendable {
    let client: RedisClient
    private let keyPrefix: String

    public init(client: RedisClient, keyPrefix: String) {
        self.client = client
        self.keyPrefix = keyPrefix
    }

    func tag(_ bot: BotID) -> String { "{\(self.keyPrefix):\(bot.name)}" }

    /// Redis's clock, ms.
    func now() async throws -> Int64 {
        let reply = try await self.client.send("TIME")
        guard let parts = reply.array, parts.count == 2, let seconds = parts[0].int, let micros = parts[1].int else {
            throw APIMessageStore.unexpected(reply)
        }
        return Int64(seconds) * 1000 + Int64(micros / 1000)
    }

    /// Stores `definition` with its first occurrence `first`; with an idempotency key, only if it is new.
    func create(_ definition: ScheduleDefinition, first: Int64, bot: BotID, idempotencyKey: String?, answer: @Sendable (Int) -> String) async throws -> APIMessageStore.Enqueued {
        let tag = self.tag(bot)
        let json = String(decoding: try JSONEncoder().encode(definition), as: UTF8.self)
        let reply = try await self.client.evaluate(
            Self.createScript,
            keys: [
                .string("\(tag):sched:next"), .string("\(tag):sched:due"), .string("\(tag):sched:all"),
                .string(idempotencyKey.map { "\(tag):api:idem:s:\($0)" } ?? "\(tag):api:none"),
            ],
            arguments: [
                .string("\(tag):sched:"), .string(json), .integer(Int(first)), .string(idempotencyKey == nil ? "" : answer(APIMessageStore.numberMarker)),
                .string(String(APIMessageStore.numberMarker)), .integer(APIMessageStore.idempotencyWindow),
            ]
        )
        guard let fields = reply.array, fields.count == 2 else { throw APIMessageStore.unexpected(reply) }
        if fields[0].int == 1, let first = fields[1].string { return .replayed(first) }
        guard let number = fields[1].int else { throw APIMessageStore.unexpected(reply) }
        return .queued(number: number)
    }

    /// Puts back a schedule kept in PostgreSQL that Redis lost, unless Redis has it.
    func restore(number: Int, _ definition: ScheduleDefinition, next: Int64, bot: BotID) async throws -> Bool {
        let tag = self.tag(bot)
        let json = String(decoding: try JSONEncoder().encode(definition), as: UTF8.self)
        let reply = try await self.client.evaluate(
            Self.restoreScript,
            keys: [.string("\(tag):sched:next"), .string("\(tag):sched:due"), .string("\(tag):sched:all"), .string("\(tag):sched:\(number)")],
            arguments: [.integer(number), .string(json), .integer(Int(next))])
        return reply.int == 1
    }

    /// A stored schedule.
    public struct Stored: Sendable {
        public var number: Int
        public var definition: ScheduleDefinition
        public var next: Int64?
        public var fired: Int
        public var skipped: Int
        public var lastMessage: Int?
        public var created: Int64
    }

    /// Schedule `number` of `bot`, or nil.
    func schedule(bot: BotID, number: Int) async throws -> Stored? {
        let fields = try await self.client.send("HGETALL", .string("\(self.tag(bot)):sched:\(number)")).fields
        return Self.stored(number: number, fields)
    }

    static func stored(number: Int, _ fields: [String: String]) -> Stored? {
        guard let json = fields["def"], let definition = try? JSONDecoder().decode(ScheduleDefinition.self, from: Data(json.utf8)) else { return nil }
        return Stored(
            number: number, definition: definition, next: fields["next"].flatMap { Int64($0) }, fired: fields["fired"].flatMap { Int($0) } ?? 0,
            skipped: fields["skipped"].flatMap { Int($0) } ?? 0, lastMessage: fields["last_message"].flatMap { Int($0) },
            created: fields["created"].flatMap { Int64($0) } ?? 0)
    }

    /// Up to `limit` schedules of `bot` numbered above `after`, in order.
    func list(bot: BotID, after: Int, limit: Int) async throws -> [Stored] {
        let tag = self.tag(bot)
        let numbers = try await self.client.send(
            "ZRANGEBYSCORE", .string("\(tag):sched:all"), .string("(\(after)"), "+inf", "LIMIT", "0", .string(String(limit)))
        let ids = (numbers.array ?? []).compactMap(\.int)
        guard !ids.isEmpty else { return [] }
        let replies = try await self.client.pipeline(ids.map { ["HGETALL", .string("\(tag):sched:\($0)")] })
        return zip(ids, replies).compactMap { number, reply in (try? reply.get()).flatMap { Self.stored(number: number, $0.fields) } }
    }

    /// Deletes schedule `number`; false when there was none.
    func delete(bot: BotID, number: Int) async throws -> Bool {
        let tag = self.tag(bot)
        let reply = try await self.client.evaluate(
            Self.deleteScript, keys: [.string("\(tag):sched:\(number)"), .string("\(tag):sched:due"), .string("\(tag):sched:all")],
            arguments: [.integer(number)])
        return reply.int == 1
    }

    /// Schedules of `bot` due at Redis time, with their pending occurrence, and that time.
    func due(bot: BotID, limit: Int) async throws -> (now: Int64, due: [(number: Int, occurrence: Int64)]) {
        let reply = try await self.client.evaluate(Self.dueScript, keys: [.string("\(self.tag(bot)):sched:due")], arguments: [.integer(limit)])
        guard let items = reply.array, let now = items.first?.int else { throw APIMessageStore.unexpected(reply) }
        var due: [(Int, Int64)] = []
        var index = 1
        while index + 1 < items.count {
            if let number = items[index].int, let occurrence = items[index + 1].string.flatMap(Double.init).map({ Int64($0) }) {
                due.append((number, occurrence))
            }
            index += 2
        }
        return (Int64(now), due)
    }

    /// Fires occurrence `occurrence` of schedule `number` if it is still
    /// pending: queues `message` (nil: skip it), adds `skipped`, moves on to
    /// `next` (nil: finished). Returns the queued message's number, 0 when
    /// skipped, nil when another instance fired it first or it was deleted.
    func fire(
        bot: BotID, number: Int, occurrence: Int64, message: APIMessageStore.Message?, skipped: Int, next: Int64?
    ) async throws -> Int? {
        let tag = self.tag(bot)
        var arguments: [RedisArgument] = [
            .integer(number), .string(String(occurrence)), .string(next.map { String($0) } ?? ""), .integer(skipped),
        ]
        if let message {
            let chat: Int64 = if case .chat(let id, _) = message.call.destination { id } else { 0 }
            arguments += [
                .string("\(tag):api:m:"), .bytes(try OutboxEnvelope.encode(message.call)), .string(message.priority.rawValue),
                .integer(APIMessageStore.rank(message.priority)), .string(String(chat)), .string(message.subject ?? ""),
            ]
        }
        let reply = try await self.client.evaluate(
            Self.fireScript,
            keys: [.string("\(tag):sched:due"), .string("\(tag):sched:\(number)"), .string("\(tag):api:next"), .string("\(tag):api:queue")],
            arguments: arguments)
        guard let result = reply.int else { throw APIMessageStore.unexpected(reply) }
        return result < 0 ? nil : result
    }

    /// Numbers of schedules due, and how many.
    func count(bot: BotID) async throws -> Int {
        try await self.client.send("ZCARD", .string("\(self.tag(bot)):sched:due")).int ?? 0
    }

    private static let clock = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        """

    /// KEYS: next, due, all, idempotency key. ARGV: record prefix, definition, first, answer template, marker, key TTL.
    static let createScript = RedisScript(
        clock + """

        if ARGV[4] ~= '' then
          local first = redis.call('GET', KEYS[4])
          if first then return {1, first} end
        end
        local n = redis.call('INCR', KEYS[1])
        redis.call('HSET', ARGV[1] .. n, 'def', ARGV[2], 'next', ARGV[3], 'fired', 0, 'skipped', 0, 'created', now)
        redis.call('ZADD', KEYS[2], tonumber(ARGV[3]), n)
        redis.call('ZADD', KEYS[3], n, n)
        if ARGV[4] ~= '' then
          local answer = string.gsub(ARGV[4], ARGV[5], tostring(n))
          redis.call('SET', KEYS[4], answer, 'EX', tonumber(ARGV[6]))
        end
        return {0, n}
        """)

    /// KEYS: next, due, all, record. ARGV: number, definition, next.
    static let restoreScript = RedisScript(
        clock + """

        if redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
        local n = tonumber(ARGV[1])
        if tonumber(redis.call('GET', KEYS[1]) or '0') < n then redis.call('SET', KEYS[1], n) end
        redis.call('HSET', KEYS[4], 'def', ARGV[2], 'next', ARGV[3], 'fired', 0, 'skipped', 0, 'created', now)
        redis.call('ZADD', KEYS[2], tonumber(ARGV[3]), n)
        redis.call('ZADD', KEYS[3], n, n)
        return 1
        """)

    /// KEYS: record, due, all. ARGV: number.
    static let deleteScript = RedisScript(
        """
        local existed = redis.call('DEL', KEYS[1])
        redis.call('ZREM', KEYS[2], ARGV[1])
        redis.call('ZREM', KEYS[3], ARGV[1])
        return existed
        """)

    /// KEYS: due. ARGV: limit. Returns now, then number/occurrence pairs due.
    static let dueScript = RedisScript(
        clock + """

        local out = {now}
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[1]))
        for i = 1, #due, 2 do
          table.insert(out, tonumber(due[i]))
          table.insert(out, due[i + 1])
        end
        return out
        """)

    /// KEYS: due, record, api next, api queue. ARGV: number, occurrence, next
    /// (empty: finished), skipped, then the message (record prefix, call,
    /// priority, rank, chat, subject) or nothing to skip the occurrence.
    static let fireScript = RedisScript(
        clock + """

        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not score or tonumber(score) ~= tonumber(ARGV[2]) then return -1 end
        if redis.call('EXISTS', KEYS[2]) == 0 then
          redis.call('ZREM', KEYS[1], ARGV[1])
          return -1
        end
        local m = 0
        if ARGV[5] then
          m = redis.call('INCR', KEYS[3])
          redis.call('HSET', ARGV[5] .. m, 'status', 'queued', 'priority', ARGV[7], 'call', ARGV[6], 'chat', ARGV[9],
            'created', now, 'subject', ARGV[10], 'schedule', ARGV[1])
          redis.call('ZADD', KEYS[4], tonumber(ARGV[8]) * 10000000000000 + m, m)
          redis.call('HINCRBY', KEYS[2], 'fired', 1)
          redis.call('HSET', KEYS[2], 'last_message', m)
        end
        if tonumber(ARGV[4]) > 0 then redis.call('HINCRBY', KEYS[2], 'skipped', tonumber(ARGV[4])) end
        if ARGV[3] == '' then
          redis.call('ZREM', KEYS[1], ARGV[1])
          redis.call('HSET', KEYS[2], 'next', '', 'finished', now)
        else
          redis.call('ZADD', KEYS[1], tonumber(ARGV[3]), ARGV[1])
          redis.call('HSET', KEYS[2], 'next', ARGV[3])
        end
        return m
        """)
}
