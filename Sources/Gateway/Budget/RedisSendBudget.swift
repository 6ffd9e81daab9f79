import Logging
public import RedisClient
import Synchronization
public import TelegramBotAPI

/// One Telegram budget per bot across every instance: the bot's 30/s and
/// each chat's limit kept as GCRA theoretical arrival times in Redis, one
/// script call (one round trip, ~tens of µs on loopback) per send.
///
/// Why per send rather than tokens leased ahead in batches: a lease must be
/// sized for the busiest instance, and tokens leased but unused by an idle
/// instance are lost to a busy one, which then waits; the round trip is small
/// against the Bot API call it guards (milliseconds), and the script keeps
/// priorities exact across instances, which a leased batch cannot.
///
/// **Priorities.** GCRA grants a send when the bucket's arrival time is at
/// most `tolerance` ahead of now. Each priority gets its own tolerance on the
/// same bucket: `high` the full burst, `normal` less, `low` one interval. A
/// `low` send alone still gets the whole rate, but while replies keep the
/// bucket busy only they find room in it, on every instance at once.
///
/// **Keys.** `{p:b}:tg` (the bot's arrival time) and `{p:b}:tg:<chat>`, both
/// under the bot's hash tag (one slot); each expires once its time is past.
/// The clock is Redis's (`TIME`), so instances' clocks do not matter.
///
/// **Failures.** If Redis does not answer, the send is granted: each
/// instance's own ``OutboundLimiter`` still keeps it to the limits, and a
/// 429 is still honoured. The failure is logged at most once a minute.
public final class RedisSendBudget: SendBudget {
    private let client: RedisClient
    private let botKey: String
    private let chatKeyPrefix: String
    private let limits: OutboundLimiter<OutboundCall>.Configuration
    private let logger: Logger
    private let lastWarning = Mutex<ContinuousClock.Instant?>(nil)

    /// The bot's burst for `high` sends: how far ahead of now the bot's bucket may run.
    static let botBurst = 10

    /// Creates the budget of `bot`, under Redis keys prefixed `keyPrefix`.
    public init(client: RedisClient, keyPrefix: String, bot: BotID, limits: OutboundLimiter<OutboundCall>.Configuration, logger: Logger) {
        self.client = client
        let tag = "{\(keyPrefix):\(bot.name)}"
        self.botKey = "\(tag):tg"
        self.chatKeyPrefix = "\(tag):tg:"
        self.limits = limits
        self.logger = logger
    }

    public func reserve(_ destination: OutboundLimiter<OutboundCall>.Destination, priority: OutboundSender.Priority) async -> SendBudgetAnswer {
        let (keys, arguments) = self.buckets(for: [destination], priority: priority)
        do {
            let reply = try await self.client.evaluate(Self.script, keys: keys, arguments: arguments)
            guard let fields = reply.array, fields.count == 2, let scope = fields[0].int, let wait = fields[1].int else {
                return .granted
            }
            switch scope {
            case 1: return .wait(.microseconds(max(wait, 1000)), scope: .chat)
            case 2: return .wait(.microseconds(max(wait, 1000)), scope: .bot)
            default: return .granted
            }
        } catch {
            self.warn(error)
            return .granted
        }
    }

    /// The script call that takes every send of `calls` at `priority` from the
    /// budget at once — or nothing, if any bucket is short — for a caller to
    /// pipeline with a request it makes anyway (the commit of the replies).
    /// Its reply means granted when ``isGranted(_:)`` says so; then the sends
    /// skip ``reserve(_:priority:)``, else each reserves on its own.
    public func reservation(for calls: [OutboundCall], priority: OutboundSender.Priority) -> [RedisArgument] {
        let (keys, arguments) = self.buckets(for: calls.map(\.destination), priority: priority)
        return ["EVALSHA", .string(Self.script.sha1), .integer(keys.count)] + keys + arguments
    }

    /// Whether the reply to ``reservation(for:priority:)`` granted every send.
    public static func isGranted(_ reply: Result<RedisValue, RedisError>) -> Bool {
        guard case .success(let value) = reply, let fields = value.array, fields.count == 2 else { return false }
        return fields[0].int == 0
    }

    /// The keys and arguments of the script for one send to each of
    /// `destinations`: the bot's bucket takes them all, each chat's bucket its own.
    private func buckets(for destinations: [OutboundLimiter<OutboundCall>.Destination], priority: OutboundSender.Priority) -> ([RedisArgument], [RedisArgument]) {
        let bot = self.limits.botLimit
        var keys: [RedisArgument] = [.string(self.botKey)]
        var arguments: [RedisArgument] = [
            .integer(Self.microseconds(bot.interval)),
            .integer(Self.microseconds(bot.interval) * Self.tolerance(burst: max(bot.burst, Self.botBurst), priority: priority)),
            .integer(destinations.count),
        ]
        var chats: [(id: Int64, kind: OutboundLimiter<OutboundCall>.ChatKind, sends: Int)] = []
        for case .chat(let id, let kind) in destinations {
            if let index = chats.firstIndex(where: { $0.id == id }) {
                chats[index].sends += 1
            } else {
                chats.append((id, kind, 1))
            }
        }
        for chat in chats {
            let limit = chat.kind == .privateChat ? self.limits.privateChatLimit : self.limits.groupChatLimit
            keys.append(.string("\(self.chatKeyPrefix)\(chat.id)"))
            arguments += [
                .integer(Self.microseconds(limit.interval)),
                .integer(Self.microseconds(limit.interval) * Self.tolerance(burst: limit.burst, priority: priority)),
                .integer(chat.sends),
            ]
        }
        return (keys, arguments)
    }

    /// Intervals the bucket may run ahead of now for `priority`: `burst - 1`
    /// for `high`, about half of that for `normal`, one for `low` (none with a
    /// burst of 1, where priorities share the single slot).
    static func tolerance(burst: Int, priority: OutboundSender.Priority) -> Int {
        let full = max(burst - 1, 0)
        switch priority {
        case .high: return full
        case .normal: return (full + 1) / 2
        case .low: return min(full, 1)
        }
    }

    /// `duration` in whole µs, rounded up; limits are configured, never huge.
    static func microseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1_000_000 + Int(attoseconds / 1_000_000_000_000) + (attoseconds % 1_000_000_000_000 == 0 ? 0 : 1)
    }

    private func warn(_ error: any Error) {
        let now = ContinuousClock.now
        let due = self.lastWarning.withLock { last in
            guard last.map({ now - $0 >= .seconds(60) }) ?? true else { return false }
            last = now
            return true
        }
        if due {
            self.logger.warning("shared Telegram budget unavailable; sending under this instance's limits only", metadata: ["error": "\(error)"])
        }
    }

    /// KEYS: the bot's bucket, then the chats' if any. ARGV: per bucket its
    /// interval and this priority's tolerance, in µs, and the sends it takes.
    /// Returns `{0, 0}` when granted (every bucket advanced), else `{1 (a
    /// chat) or 2 (the bot), µs to wait}` and nothing is taken.
    static let script = RedisScript(
        """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local tats, waits = {}, {}
        for i = 1, #KEYS do
          local interval, tolerance, sends = tonumber(ARGV[3 * i - 2]), tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i])
          local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
          if tat < now then tat = now end
          tats[i] = tat + interval * sends
          waits[i] = tat + interval * (sends - 1) - tolerance - now
        end
        local chatWait = 0
        for i = 2, #KEYS do
          if waits[i] > chatWait then chatWait = waits[i] end
        end
        if chatWait > 0 and chatWait >= waits[1] then return {1, chatWait} end
        if waits[1] > 0 then return {2, waits[1]} end
        for i = 1, #KEYS do
          redis.call('SET', KEYS[i], tats[i], 'PX', math.floor((tats[i] - now) / 1000) + 1000)
        end
        return {0, 0}
        """
    )
}
