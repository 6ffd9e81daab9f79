extension FakeTelegram {
    /// Settings of one emulated bot.
    public struct Configuration: Sendable {
        /// The token the fake serves; other tokens are refused as Telegram refuses them.
        public var token: String
        /// The bot's first name in `getMe` and in the `from` of its messages.
        public var botFirstName: String
        /// The bot's username, without `@`.
        public var botUsername: String
        /// The port to listen on at 127.0.0.1; 0 picks a free one.
        public var port: Int
        /// Telegram's sending limits; off by default.
        public var limits: Limits
        /// How updates are pushed to a webhook.
        public var webhook: WebhookSettings

        /// Creates a configuration; the bot's id is the token's part before the colon.
        public init(
            token: String = "123456789:AAE-emulator-test-token",
            botFirstName: String = "Test Bot",
            botUsername: String = "uk_test_bot",
            port: Int = 0,
            limits: Limits = Limits(),
            webhook: WebhookSettings = WebhookSettings()
        ) {
            self.token = token
            self.botFirstName = botFirstName
            self.botUsername = botUsername
            self.port = port
            self.limits = limits
            self.webhook = webhook
        }
    }

    /// How the fake delivers updates to a webhook and retries failures.
    public struct WebhookSettings: Sendable {
        /// Attempts per update before it is dropped; Telegram keeps trying far longer, tests
        /// want a bounded run.
        public var maxAttempts: Int
        /// The wait after the first failure; it doubles with each further failure of the update.
        public var initialBackoff: Duration
        /// The longest wait between two attempts.
        public var maxBackoff: Duration
        /// How long one delivery may take before it counts as failed.
        public var timeout: Duration

        /// Creates webhook settings.
        public init(
            maxAttempts: Int = 5,
            initialBackoff: Duration = .milliseconds(100),
            maxBackoff: Duration = .seconds(2),
            timeout: Duration = .seconds(10)
        ) {
            self.maxAttempts = maxAttempts
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.timeout = timeout
        }
    }

    /// Telegram's limits on what a bot sends. Exceeding one answers 429 with `retry_after`.
    public struct Limits: Sendable {
        /// How closely the fake enforces the limits.
        public enum Strictness: Sendable, Hashable {
            /// Exactly the numbers below.
            case strict
            /// Bursts twice the size, closer to what Telegram lets through in practice.
            case lenient
        }

        /// Whether the limits are enforced at all.
        public var isEnabled: Bool
        public var strictness: Strictness
        /// Messages per second across all chats.
        public var perBotPerSecond: Int
        /// Messages per second to one private chat.
        public var perPrivateChatPerSecond: Int
        /// Messages a private chat may receive at once before the per-second rate applies.
        public var privateChatBurst: Int
        /// Messages per minute to one group.
        public var perGroupPerMinute: Int
        /// Messages a group may receive at once before the per-minute rate applies; nil allows a
        /// whole minute's worth, as Telegram does. Set it when the rate is scaled up for a fast
        /// test, where a minute's worth would be a burst no group limit ever stops.
        public var groupBurst: Int?

        /// Creates limits; disabled unless `isEnabled` is true.
        public init(
            isEnabled: Bool = false,
            strictness: Strictness = .strict,
            perBotPerSecond: Int = 30,
            perPrivateChatPerSecond: Int = 1,
            privateChatBurst: Int = 3,
            perGroupPerMinute: Int = 20,
            groupBurst: Int? = nil
        ) {
            self.isEnabled = isEnabled
            self.strictness = strictness
            self.perBotPerSecond = perBotPerSecond
            self.perPrivateChatPerSecond = perPrivateChatPerSecond
            self.privateChatBurst = privateChatBurst
            self.perGroupPerMinute = perGroupPerMinute
            self.groupBurst = groupBurst
        }

        /// Limits switched on with Telegram's numbers.
        public static var enforced: Limits { Limits(isEnabled: true) }
    }
}
