public import Logging
public import TelegramBotAPI

/// What the gateway knows about one update while handling it: which bot,
/// which conversation, its stored state, and what middleware found out
/// (the user's identity and locale). Middleware returns a changed copy to
/// the next link; the handler reads the result.
public struct UpdateContext: Sendable {
    /// The bot the update was sent to.
    public let bot: BotID
    /// The conversation's storage name (see ``RedisKeyspace/conversation(of:)``).
    public let conversation: String
    /// The conversation's stored state when the step began; nil when none.
    public var state: [UInt8]?
    /// The update exactly as Telegram sent it (a `forward` bot passes it on
    /// untouched); empty where the update was built in process.
    public let raw: [UInt8]
    /// Values read along with the state, if the pipeline reads any (in a
    /// private chat: the user's profile and rate-limit counters).
    public var preloaded: [PreloadedValue]
    /// `bot:update_id`: tags every log line and downstream call of this update.
    public let correlationID: String
    /// The user's locale code (`en`, `ru`, `uz`), chosen by ``LocaleMiddleware``.
    public var locale: String
    /// Who the user is to the downstream services; set by ``AuthMiddleware``.
    public var identity: UserIdentity?
    /// A logger carrying the correlation id.
    public var logger: Logger
    /// When handling began, for latency.
    public let startedAt: ContinuousClock.Instant

    /// Creates the context of `update` before any middleware ran.
    public init(
        update: Update,
        bot: BotID,
        conversation: String,
        state: [UInt8]?,
        raw: [UInt8] = [],
        preloaded: [PreloadedValue] = [],
        defaultLocale: String = "en",
        logger: Logger
    ) {
        self.bot = bot
        self.conversation = conversation
        self.state = state
        self.raw = raw
        self.preloaded = preloaded
        self.correlationID = "\(bot.name):\(update.updateID)"
        self.locale = defaultLocale
        self.identity = nil
        var logger = logger
        logger[metadataKey: "correlation_id"] = .string(self.correlationID)
        self.logger = logger
        self.startedAt = .now
    }
}

extension UpdateContext {
    /// Milliseconds since handling began.
    public var elapsedMilliseconds: Double {
        let elapsed = ContinuousClock.now - self.startedAt
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}

/// One Redis value read in the same request as a conversation's state, so a
/// middleware that needs it pays no round trip of its own.
public struct PreloadedValue: Sendable, Hashable {
    /// The key that was read.
    public let key: String
    /// Its value then; nil when the key did not exist.
    public let value: [UInt8]?
    /// Its `PTTL` then: milliseconds left, -1 for no expiry, -2 when absent.
    public let millisecondsToLive: Int

    /// Creates a value read from `key`.
    public init(key: String, value: [UInt8]?, millisecondsToLive: Int = -1) {
        self.key = key
        self.value = value
        self.millisecondsToLive = value == nil ? -2 : millisecondsToLive
    }
}

extension [PreloadedValue] {
    /// The value read from `key`, if it was read.
    public func value(forKey key: String) -> PreloadedValue? {
        self.first { $0.key == key }
    }
}
