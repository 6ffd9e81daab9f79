import RedisClient

/// Rate-limit counters in Redis, shared by every instance. One script call
/// per update counts it in all its windows and decides; keys carry the
/// user's hash tag `{prefix:bot:<id>}` and expire with their window. In the
/// user's private chat the same tag is the conversation's, so the counters
/// are read with its lease and counted in its commit instead
/// (``decide(_:policy:preloaded:)``), with no round trip of their own.
public struct RedisRateLimitStore: RateLimitStore {
    private let client: RedisClient
    private let keys: RedisKeyspace

    /// Creates a store on `client` under the key prefix `keyPrefix` (`REDIS_KEY_PREFIX`).
    public init(client: RedisClient, keyPrefix: String) {
        self.client = client
        self.keys = RedisKeyspace(prefix: keyPrefix)
    }

    /// KEYS: minute, hour, commands, notice, press. ARGV: is command (0/1),
    /// minute limit, hour limit, command limit, press window (ms; 0 when the
    /// update is no button press). Returns 0 allowed, 1 notify, 2 silent,
    /// 3 repeated press. A window's counter gets its expiry with its first
    /// hit, so windows are fixed from then; the notice flag lives until the
    /// latest window that tripped ends, so the user is told once per stretch
    /// of being limited.
    private static let record = RedisScript("""
        if ARGV[5] ~= '0' and not redis.call('SET', KEYS[5], '1', 'NX', 'PX', ARGV[5]) then return 3 end
        local function hit(key, window)
          local n = redis.call('INCR', key)
          if n == 1 then redis.call('PEXPIRE', key, window) end
          return n
        end
        local over = 0
        local function check(key, n, limit)
          if n > tonumber(limit) then
            local ttl = redis.call('PTTL', key)
            if ttl > over then over = ttl end
          end
        end
        check(KEYS[1], hit(KEYS[1], 60000), ARGV[2])
        check(KEYS[2], hit(KEYS[2], 3600000), ARGV[3])
        if ARGV[1] == '1' then check(KEYS[3], hit(KEYS[3], 60000), ARGV[4]) end
        if over == 0 then return 0 end
        if redis.call('SET', KEYS[4], '1', 'NX', 'PX', over) then return 1 end
        return 2
        """)

    public func record(_ hit: RateLimitHit, policy: RateLimitPolicy) async throws -> RateLimitDecision {
        let keys = self.keys.user(hit.userID, of: hit.bot)
        let reply = try await self.client.evaluate(
            Self.record,
            keys: [
                .string(keys.minuteCount), .string(keys.hourCount), .string(keys.commandCount), .string(keys.limitNotice),
                .string(keys.press(hit.button ?? "")),
            ],
            arguments: [
                hit.isCommand ? "1" : "0",
                .integer(policy.messagesPerMinute),
                .integer(policy.messagesPerHour),
                .integer(policy.commandsPerMinute),
                .integer(hit.button == nil ? 0 : policy.repeatPressWindow.redisMilliseconds),
            ]
        )
        switch reply.int {
        case 0: return .allowed
        case 1: return .notify
        case 3: return .repeatedPress
        default: return .silent
        }
    }

    public func preloadKeys(for hit: RateLimitHit) -> [String] {
        let keys = self.keys.user(hit.userID, of: hit.bot)
        return [keys.minuteCount, keys.hourCount, keys.commandCount, keys.limitNotice] + (hit.button.map { [keys.press($0)] } ?? [])
    }

    /// The script's decision, taken in Swift from the counters as the lease
    /// read them; the writes do what the script's writes do (`SET … NX PX`
    /// then `INCR` starts a window with its first hit, as `INCR` then
    /// `PEXPIRE` on 1 does). Between the read and the commit only the user's
    /// group conversations can count: their hits are not lost, they may just
    /// be seen one step late.
    public func decide(_ hit: RateLimitHit, policy: RateLimitPolicy, preloaded: [PreloadedValue]) -> PreloadedRateLimitDecision? {
        let keys = self.keys.user(hit.userID, of: hit.bot)
        guard let minute = preloaded.value(forKey: keys.minuteCount),
            let hour = preloaded.value(forKey: keys.hourCount),
            let commands = preloaded.value(forKey: keys.commandCount),
            let notice = preloaded.value(forKey: keys.limitNotice)
        else { return nil }
        var writes: [[RedisArgument]] = []
        if let button = hit.button {
            let press = keys.press(button)
            guard let marker = preloaded.value(forKey: press) else { return nil }
            if marker.value != nil {
                return PreloadedRateLimitDecision(decision: .repeatedPress, writes: [])
            }
            writes.append(["SET", .string(press), "1", "NX", "PX", .integer(policy.repeatPressWindow.redisMilliseconds)])
        }
        var over = 0
        func count(_ counter: PreloadedValue, window: Int, limit: Int) {
            let current = counter.value.flatMap { Int(String(decoding: $0, as: UTF8.self)) } ?? 0
            writes.append(["SET", .string(counter.key), "0", "NX", "PX", .integer(window)])
            writes.append(["INCR", .string(counter.key)])
            let ttl = current == 0 ? window : counter.millisecondsToLive
            if current + 1 > limit, ttl > over {
                over = ttl
            }
        }
        count(minute, window: 60_000, limit: policy.messagesPerMinute)
        count(hour, window: 3_600_000, limit: policy.messagesPerHour)
        if hit.isCommand {
            count(commands, window: 60_000, limit: policy.commandsPerMinute)
        }
        if over == 0 {
            return PreloadedRateLimitDecision(decision: .allowed, writes: writes)
        }
        if notice.value != nil {
            return PreloadedRateLimitDecision(decision: .silent, writes: writes)
        }
        writes.append(["SET", .string(keys.limitNotice), "1", "NX", "PX", .integer(over)])
        return PreloadedRateLimitDecision(decision: .notify, writes: writes)
    }
}
