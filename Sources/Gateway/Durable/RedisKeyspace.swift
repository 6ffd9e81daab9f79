public import TelegramBotAPI
import RedisClient

/// Names the Redis keys of the durable pipeline.
///
/// Every key of one conversation carries the hash tag `{prefix:bot:conversation}`,
/// so Redis Cluster keeps them in one slot and one Lua script may touch them
/// all; the per-bot queues carry `{prefix:bot}`. Layout (README, "Redis key layout"):
///
/// - `{p:b:c}:q` — list: the conversation's raw updates, oldest first.
/// - `{p:b:c}:seen` — dedup: the conversation's newest `update_id` and which of
///   the 20 before it were seen, packed in one integer, 24 h.
/// - `{p:b:c}:lease` — `ready` (in `{p:b}:runnable`), `backoff` (a failed
///   step waits, with `PX`) or a dispatcher's token `instance|run|serial` (with `PX`).
/// - `{p:b:c}:attempts` — how many times the head update was leased.
/// - `{p:b:c}:error` — the head update's last step failure.
/// - `{p:b:c}:state` — the conversation's state, with the FSM TTL.
/// - `{p:b:c}:out` — list: replies decided and not yet accepted by the Bot API.
/// - `{p:b:c}:outlease` — the relay that has the head reply in flight, `instance|run|serial` (with `PX`).
/// - `{p:b:c}:sent` — list: `method:message_id` of the last 16 messages Telegram made of replies, newest first (FSM TTL).
/// - `{p:b}:runnable` — sorted set: conversations with work and no dispatcher
///   on them, by when they became runnable (0: given back, goes first).
/// - `{p:b}:watch` — sorted set: conversations with work, by when to look at them again.
/// - `{p:b}:outbox` — sorted set: conversations with pending replies, by when to try next.
/// - `{p:b}:settings` — hash: the bot's `/settings` (``AdminSetting`` fields), polled by every instance.
/// - `{p}:instances` (sorted set: instance → last beat), `{p}:instances:run`
///   and `{p}:instances:info` (hashes: instance → run, → `{"pid","started"}`) — the heartbeats;
///   `{p}:instances:stats` (hash: instance → its ``LiveStats/Snapshot`` JSON, for `/status`).
///
/// Times in the sorted sets are Redis's clock (`TIME`), in milliseconds.
/// - `{p:b:<id>}:rl:m`, `:rl:h`, `:rl:c` — a user's message counters per
///   minute and hour and command counter per minute; `:rl:notice` — set
///   while the user has been told they are limited; `:press:<data>` — a
///   button press, kept 1.5 s to absorb a double press; `:maint` — set for
///   10 minutes once the user was told the bot is under maintenance. The hash tag is that
///   of the user's private chat, so its lease reads them and its commit
///   counts in them.
public struct RedisKeyspace: Sendable, Hashable {
    /// The key prefix (`gw`).
    public let prefix: String

    /// Creates a keyspace under `prefix`.
    public init(prefix: String) {
        self.prefix = prefix
    }

    /// The storage name of a conversation: `chat` or `chat:user`, or
    /// `update:<id>` for an update that belongs to no conversation.
    public static func conversation(of update: Update) -> String {
        update.conversationKey?.description ?? "update:\(update.updateID)"
    }

    /// Keys of one bot. Each is made when read: a step reads a few of them,
    /// and making strings showed in profiles.
    public struct Bot: Sendable, Hashable {
        let tag: String

        public var runnable: String { "\(self.tag):runnable" }
        public var watch: String { "\(self.tag):watch" }
        public var outbox: String { "\(self.tag):outbox" }
        public var settings: String { "\(self.tag):settings" }
    }

    /// Keys of one conversation; all share one hash tag. Each is made when
    /// read, as ``Bot``'s are.
    public struct Conversation: Sendable, Hashable {
        let tag: String

        public var queue: String { "\(self.tag):q" }
        public var lease: String { "\(self.tag):lease" }
        public var state: String { "\(self.tag):state" }
        public var outbox: String { "\(self.tag):out" }
        public var outboxLease: String { "\(self.tag):outlease" }
        public var sent: String { "\(self.tag):sent" }
        public var seen: String { "\(self.tag):seen" }
        public var attempts: String { "\(self.tag):attempts" }
        public var lastError: String { "\(self.tag):error" }
    }

    /// The heartbeat keys, shared by every bot.
    public struct Instances: Sendable, Hashable {
        public let beats: String
        public let runs: String
        public let info: String
        public let stats: String
    }

    /// The heartbeat keys.
    public var instances: Instances {
        let tag = "{\(self.prefix)}:instances"
        return Instances(beats: tag, runs: "\(tag):run", info: "\(tag):info", stats: "\(tag):stats")
    }

    /// Keys of one user of one bot; all share the hash tag `{prefix:bot:<id>}`,
    /// the tag of the user's private chat with the bot. Each is made when read.
    public struct User: Sendable, Hashable {
        let tag: String

        public var minuteCount: String { "\(self.tag):rl:m" }
        public var hourCount: String { "\(self.tag):rl:h" }
        public var commandCount: String { "\(self.tag):rl:c" }
        public var limitNotice: String { "\(self.tag):rl:notice" }
        public var maintenanceNotice: String { "\(self.tag):maint" }

        /// The marker of a press of the button with callback data `data`.
        public func press(_ data: String) -> String {
            "\(self.tag):press:\(data)"
        }
    }

    /// The keys of user `id` of `bot`.
    public func user(_ id: Int64, of bot: BotID) -> User {
        User(tag: RedisKeyName.tagged(self.prefix, bot.name, String(id)))
    }

    /// The per-bot keys.
    public func bot(_ bot: BotID) -> Bot {
        Bot(tag: RedisKeyName.tagged(self.prefix, bot.name))
    }

    /// A `SCAN` pattern for the hash tags of every conversation of `bot`
    /// (`{prefix:bot:*}`); add a key's suffix.
    public func conversationPattern(of bot: BotID) -> String {
        "{\(self.prefix):\(Self.globEscaped(bot.name)):*}"
    }

    /// The conversation named in `key`, a key of `bot` ending in `suffix`.
    public func conversationName(inKey key: String, of bot: BotID, suffix: String) -> String? {
        let start = "{\(self.prefix):\(bot.name):"
        let end = "}\(suffix)"
        guard key.hasPrefix(start), key.hasSuffix(end), key.count > start.count + end.count else { return nil }
        return String(key.dropFirst(start.count).dropLast(end.count))
    }

    private static func globEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if "*?[]\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// The keys of `conversation` of `bot`.
    public func conversation(_ conversation: String, of bot: BotID) -> Conversation {
        Conversation(tag: RedisKeyName.tagged(self.prefix, bot.name, conversation))
    }
}
