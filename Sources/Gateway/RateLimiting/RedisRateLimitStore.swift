import RedisClient

/// Rate-limit counters in Redis, shared by every instance. One script call
/// per update counts it in all its windows and decides; keys carry the
/// user's hash tag `{prefix:bot:u<id>}` and expire with their window.
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
}
