import Foundation
public import Logging
public import RedisClient
public import ServiceLifecycle
import Synchronization
public import TelegramBotAPI

/// Sends the replies committed to one bot's conversation outboxes through an
/// ``OutboundSender``, and removes each only once the Bot API accepted it or
/// refused it for good.
///
/// A conversation's replies go one at a time, in order: the relay claims the
/// head with a lease (`{…}:outlease`, so only one instance has it in flight),
/// sends it, and settles it. A permanent refusal (403 blocked, 400 message not
/// found) drops the reply and counts it (`reply_refused`); a transient
/// failure that outlasted the sender's retries, or a send abandoned at
/// shutdown, leaves it for another try after
/// ``DurablePipelineConfiguration/outboxRetryDelay``. Entries left in Redis
/// by a stopped or crashed instance are sent by whichever relay runs next.
///
/// Run it in the same `ServiceGroup` as the sender, *after* it in the
/// services list, so the relay stops first and the sender still delivers
/// what the relay handed over.
public final class OutboxRelay: Service {
    /// What the relay has done since it was created; for tests and logs.
    public struct Counters: Sendable, Hashable {
        /// Replies the Bot API accepted.
        public var sent = 0
        /// Replies dropped after a permanent refusal, or unreadable.
        public var dropped = 0
        /// Replies left for a later try.
        public var deferred = 0
    }

    private let inbox: RedisInbox
    private let bot: BotID
    private let sender: OutboundSender
    private let logger: Logger
    private let gateway: GatewayMetrics
    private let state = Mutex<State>(State())

    private struct State {
        var counters = Counters()
        var inFlight: Set<String> = []
    }

    /// Creates a relay for `bot`, sending through `sender` (which sends as that bot).
    public init(inbox: RedisInbox, bot: BotID, sender: OutboundSender, logger: Logger, metrics: GatewayMetrics = .init()) {
        self.inbox = inbox
        self.bot = bot
        self.sender = sender
        self.logger = logger
        self.gateway = metrics
    }

    /// What the relay has done so far.
    public var counters: Counters {
        self.state.withLock { $0.counters }
    }

    /// The `queue` label of the bot's outbox depth (conversations with replies pending).
    public static func queueName(for bot: BotID) -> String {
        "redis_outbox_\(bot.name)"
    }

    /// Polls for conversations with pending replies and sends them, until
    /// graceful shutdown (replies in flight finish) or cancellation.
    public func run() async {
        let configuration = self.inbox.configuration
        let outbox = self.inbox.keys.bot(self.bot).outbox
        let gauge = self.gateway.queueDepthGauge(queue: Self.queueName(for: self.bot))
        await withDiscardingTaskGroup { group in
            while !InboxDispatcher.isStopping {
                do {
                    let free = configuration.outboxConcurrency - self.state.withLock { $0.inFlight.count }
                    if free > 0 {
                        let due = try await self.inbox.client.send([
                            "ZRANGE", .string(outbox), "-inf", .integer(RedisInbox.nowMilliseconds()), "BYSCORE",
                            "LIMIT", 0, .integer(free + 16), "WITHSCORES",
                        ]).array ?? []
                        for index in stride(from: 0, to: due.count - 1, by: 2) {
                            guard let conversation = due[index].string, let score = due[index + 1].string else { continue }
                            let taken = self.state.withLock { state in
                                guard state.inFlight.count < configuration.outboxConcurrency else { return false }
                                return state.inFlight.insert(conversation).inserted
                            }
                            guard taken else { continue }
                            group.addTask {
                                await self.relay(conversation, observedScore: score)
                                _ = self.state.withLock { $0.inFlight.remove(conversation) }
                            }
                        }
                    }
                    gauge.record(try await self.inbox.client.send(["ZCARD", .string(outbox)]).int ?? 0)
                } catch {
                    self.logger.debug("outbox poll failed; retrying", metadata: ["bot": "\(self.bot)", "error": "\(error)"])
                }
                await InboxDispatcher.pause(for: configuration.outboxPollInterval)
            }
        }
        self.logger.info("outbox relay stopped", metadata: ["bot": "\(self.bot)"])
    }

    /// Sends the head reply of `conversation`, if it has one and nobody else
    /// has it in flight.
    private func relay(_ conversation: String, observedScore: String) async {
        let configuration = self.inbox.configuration
        let keys = self.inbox.keys.conversation(conversation, of: self.bot)
        let outbox = self.inbox.keys.bot(self.bot).outbox
        let client = self.inbox.client
        let token = UUID().uuidString
        // The claim must outlive the sender's own retries; it is only a guard
        // against two relays sending the same reply at once.
        let claimLength = configuration.leaseTimeout * 4
        do {
            let claim = try await client.evaluate(
                DurableScripts.claimReply,
                keys: [.string(keys.outboxLease), .string(keys.outbox), .string(keys.lease)],
                arguments: [.string(token), .integer(claimLength.redisMilliseconds)]
            ).array ?? []
            switch claim.first?.int {
            case 0:
                let wait = claim.count > 1 ? max(claim[1].int ?? 0, 1) : claimLength.redisMilliseconds
                try await self.reschedule(conversation, in: wait)
                return
            case 1:
                try await client.evaluate(DurableScripts.forget, keys: [.string(outbox)], arguments: [.string(conversation), .string(observedScore)])
                return
            case 2:
                break
            case 3:
                // A step is being committed: forgetting the entry now could strand its replies.
                try await self.reschedule(conversation, in: configuration.outboxPollInterval.redisMilliseconds)
                return
            default:
                throw DurablePipelineError(code: .unexpectedReply, message: "the claim script answered \(claim)")
            }
            guard claim.count > 1, let bytes = claim[1].bytes else { return }
            try await self.reschedule(conversation, in: claimLength.redisMilliseconds)

            let call: OutboundCall
            do {
                call = try OutboxEnvelope.decode(bytes)
            } catch {
                self.logger.error("dropping an outbox entry that is not a valid reply", metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)", "error": "\(error)"])
                try await self.settle(conversation, token: token, remove: true, counting: \.dropped, event: "reply_refused")
                return
            }
            switch await self.sender.send(call, priority: .interactive) {
            case .delivered:
                try await self.settle(conversation, token: token, remove: true, counting: \.sent, event: "reply_sent")
            case .failed(let error) where error.disposition == .permanent:
                self.logger.notice(
                    "reply refused by the Bot API; dropped",
                    metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)", "method": "\(call.methodName)", "error": "\(error.code)"]
                )
                try await self.settle(conversation, token: token, remove: true, counting: \.dropped, event: "reply_refused")
            case .failed, .abandoned:
                try await self.settle(conversation, token: token, remove: false, counting: \.deferred, event: "reply_retry")
            }
        } catch {
            // The claim, if taken, expires; the entry stays and is tried again.
            self.logger.warning("outbox relay step failed", metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)", "error": "\(error)"])
        }
    }

    /// Ends the claim; a removed head lets the next reply go at once, a kept
    /// one waits for the retry delay.
    private func settle(
        _ conversation: String,
        token: String,
        remove: Bool,
        counting counter: WritableKeyPath<Counters, Int>,
        event: String
    ) async throws {
        let keys = self.inbox.keys.conversation(conversation, of: self.bot)
        self.state.withLock { $0.counters[keyPath: counter] += 1 }
        self.inbox.metrics.record(event, bot: self.bot)
        try await self.inbox.client.evaluate(
            DurableScripts.settleReply,
            keys: [.string(keys.outboxLease), .string(keys.outbox)],
            arguments: [.string(token), remove ? "1" : "0"]
        )
        try await self.reschedule(conversation, in: remove ? 0 : self.inbox.configuration.outboxRetryDelay.redisMilliseconds)
    }

    private func reschedule(_ conversation: String, in milliseconds: Int) async throws {
        let outbox = self.inbox.keys.bot(self.bot).outbox
        try await self.inbox.client.send([
            "ZADD", .string(outbox), "XX", .integer(RedisInbox.nowMilliseconds() + milliseconds), .string(conversation),
        ])
    }
}
