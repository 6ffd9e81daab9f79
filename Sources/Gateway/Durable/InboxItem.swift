import TelegramBotAPI

/// One update a dispatcher took from the durable inbox: the head of its
/// conversation, leased to this dispatcher until committed.
public struct InboxItem: Sendable {
    /// The update, decoded, raw, and for which bot.
    public var delivery: UpdateDelivery
    /// The conversation's storage name (see ``RedisKeyspace/conversation(of:)``).
    public var conversation: String
    /// The conversation's state as the last step saved it; nil when none (or expired).
    public var state: [UInt8]?
    /// The keys the inbox was configured to read with the state, and their
    /// values then (see ``RedisInbox/init(client:configuration:logger:preload:)``).
    public var preloaded: [PreloadedValue]
    /// Proves the lease at commit: a dispatcher whose lease expired cannot commit.
    let leaseToken: String
    /// Which attempt at this update this is, from 1: a step that failed or
    /// died with its process counts, one cut off by shutdown does not.
    public var attempt: Int = 1
    /// Why the last attempt failed, when it failed by an error.
    public var lastError: String?

    /// A key for the `Idempotency-Key` header of a downstream call made while
    /// handling this update: the same on every redelivery or takeover, so a
    /// service applies the call once. `step` tells apart several calls of one update.
    public func idempotencyKey(step: Int = 0) -> String {
        "\(self.delivery.bot.name)-\(self.delivery.update.updateID)-\(step)"
    }
}
