import TelegramBotAPI

/// Enforces `FakeTelegram.Limits` with token buckets: one for the bot, one per chat.
struct SendLimiter {
    private struct Bucket {
        var capacity: Double
        var perSecond: Double
        var tokens: Double
        var updated: ContinuousClock.Instant

        init(capacity: Double, perSecond: Double, now: ContinuousClock.Instant) {
            self.capacity = capacity
            self.perSecond = perSecond
            self.tokens = capacity
            self.updated = now
        }

        mutating func refill(now: ContinuousClock.Instant) {
            let elapsed = (now - updated) / .seconds(1)
            tokens = min(capacity, tokens + elapsed * perSecond)
            updated = now
        }

        /// Seconds until one token is there; 0 when one is there now.
        var secondsUntilToken: Double {
            tokens >= 1 ? 0 : (1 - tokens) / perSecond
        }
    }

    let limits: FakeTelegram.Limits
    private var bot: Bucket?
    private var chats: [Int64: Bucket] = [:]

    init(limits: FakeTelegram.Limits) {
        self.limits = limits
    }

    /// Takes one message from the bot's and the chat's allowance.
    ///
    /// - Returns: nil when the message may go; else the whole seconds to wait (at least 1), and
    ///   nothing is taken.
    mutating func admit(_ chat: Chat, now: ContinuousClock.Instant) -> Int? {
        guard limits.isEnabled else { return nil }
        let burstFactor: Double = limits.strictness == .lenient ? 2 : 1
        var bot = self.bot ?? Bucket(
            capacity: Double(limits.perBotPerSecond) * burstFactor, perSecond: Double(limits.perBotPerSecond), now: now)
        var chatBucket = chats[chat.id] ?? (chat.type.isGroup
            ? Bucket(
                capacity: Double(limits.groupBurst ?? limits.perGroupPerMinute) * burstFactor,
                perSecond: Double(limits.perGroupPerMinute) / 60, now: now)
            : Bucket(capacity: Double(limits.privateChatBurst) * burstFactor, perSecond: Double(limits.perPrivateChatPerSecond), now: now))
        bot.refill(now: now)
        chatBucket.refill(now: now)
        let wait = max(bot.secondsUntilToken, chatBucket.secondsUntilToken)
        if wait == 0 {
            bot.tokens -= 1
            chatBucket.tokens -= 1
        }
        self.bot = bot
        chats[chat.id] = chatBucket
        return wait == 0 ? nil : max(1, Int(wait.rounded(.up)))
    }
}
