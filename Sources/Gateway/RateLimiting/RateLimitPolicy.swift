/// Per-user limits on what a user may send (`RATE_LIMIT_*`; see
/// `docs/configuration.md`). Each window starts with the first update it
/// counts and lasts its full length, in every instance (the counters live in
/// Redis).
public struct RateLimitPolicy: Sendable, Hashable {
    /// Updates of any kind a user may send per minute.
    public var messagesPerMinute: Int
    /// Updates of any kind a user may send per hour.
    public var messagesPerHour: Int
    /// Commands (`/…`) a user may send per minute.
    public var commandsPerMinute: Int
    /// The same button pressed again within this long counts once.
    public var repeatPressWindow: Duration

    /// Creates a policy; the defaults are those `docs/configuration.md` documents.
    public init(
        messagesPerMinute: Int = 20,
        messagesPerHour: Int = 100,
        commandsPerMinute: Int = 5,
        repeatPressWindow: Duration = .milliseconds(1500)
    ) {
        self.messagesPerMinute = messagesPerMinute
        self.messagesPerHour = messagesPerHour
        self.commandsPerMinute = commandsPerMinute
        self.repeatPressWindow = repeatPressWindow
    }
}

/// What a rate-limit check decided about one update.
public enum RateLimitDecision: Sendable, Hashable {
    /// Within every limit: handle it.
    case allowed
    /// The first update past a limit in this window: drop it and tell the user once.
    case notify
    /// Past a limit and already told: drop it without a word.
    case silent
    /// The same button pressed again within the repeat window: counts once, so drop it.
    case repeatedPress
}

/// One update to count against a user's limits.
public struct RateLimitHit: Sendable, Hashable {
    /// The bot the user wrote to.
    public var bot: BotID
    /// The user's Telegram id.
    public var userID: Int64
    /// Whether the update is a command, which also counts against the command limit.
    public var isCommand: Bool
    /// For a button press, the button (its message and callback data): a
    /// second press within the repeat window is a ``RateLimitDecision/repeatedPress``.
    public var button: String?

    /// Creates a hit.
    public init(bot: BotID, userID: Int64, isCommand: Bool, button: String? = nil) {
        self.bot = bot
        self.userID = userID
        self.isCommand = isCommand
        self.button = button
    }
}
