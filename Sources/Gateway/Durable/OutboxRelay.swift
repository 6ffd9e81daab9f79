import Foundation
public import Logging
import RedisClient
public import ServiceLifecycle
import Synchronization
public import TelegramBotAPI

/// Sends the replies committed to one bot's conversation outboxes through an
/// ``OutboundSender``, and removes them only once the Bot API accepted them or
/// refused them for good.
///
/// A conversation's replies go in order, one relay at a time: a relay holds
/// the conversation's claim (`{…}:outlease`), sends its replies back to back,
/// and settles them in one script, which hands it any replies committed
/// meanwhile. Replies reach a relay two ways: a commit by this instance's
/// ``InboxDispatcher`` claims them for it and hands them over in process at
/// once (see ``RedisInbox/commit(_:outcome:)``), and a poll of the bot's
/// outbox set every ``DurablePipelineConfiguration/outboxPollInterval`` finds
/// the rest — replies of stopped or crashed instances, whose claims expire,
/// and replies waiting for a retry; a claim whose holder's instance stopped
/// beating is taken over within ``DurablePipelineConfiguration/takeoverWindow``.
/// A permanent refusal (403 blocked, 400 message not found) removes the
/// reply, counts it (`reply_refused`) and keeps it as a ``DeadLetter``; a
/// transient failure that outlasted the sender's retries, or a send abandoned
/// at shutdown, leaves it and the ones after it for another try after
/// ``DurablePipelineConfiguration/outboxRetryDelay``.
///
/// Run it in the same `ServiceGroup` as the sender, *after* it in the
/// services list and before the dispatcher, so the dispatcher stops first,
/// the relay sends what it was handed, and the sender still delivers it.
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
    private let deadLetters: any DeadLetterStore
    private let budget: RedisSendBudget?
    private let state = Mutex<State>(State())
    /// Renews the claims of sends in flight (a 429 may hold one longer than the claim).
    private let claims: LeaseWatch<HeldClaim>

    private struct State {
        var counters = Counters()
        var inFlight: Set<String> = []
        /// Why the bot cannot send now (401, 404, not the Bot API answering); nil while it can.
        var pauseReason: String?
    }

    /// How often a paused relay asks `getMe` whether the bot can send again.
    static let probeInterval: Duration = .seconds(2)

    /// Creates a relay for `bot`, sending through `sender` (which sends as
    /// that bot); replies refused for good go to `deadLetters` (by default the inbox's Redis).
    /// With the `budget` the sender draws on, commits made here take their
    /// replies' sends from it in their own round trip.
    public init(
        inbox: RedisInbox, bot: BotID, sender: OutboundSender, logger: Logger, metrics: GatewayMetrics = .init(),
        deadLetters: (any DeadLetterStore)? = nil, budget: RedisSendBudget? = nil
    ) {
        self.budget = budget
        self.inbox = inbox
        self.claims = LeaseWatch(renewEvery: inbox.configuration.replyClaimLength / 3, timeout: nil)
        self.bot = bot
        self.sender = sender
        self.logger = logger
        self.gateway = metrics
        self.deadLetters = deadLetters ?? RedisDeadLetterStore(client: inbox.client, keyPrefix: inbox.configuration.keyPrefix)
    }

    /// Why the bot's sending is paused, for `/ready`; nil while it sends.
    /// Replies stay queued meanwhile, and sending resumes by itself once
    /// `getMe` succeeds.
    public var pauseReason: String? {
        self.state.withLock { $0.pauseReason }
    }

    /// What the relay has done so far.
    public var counters: Counters {
        self.state.withLock { $0.counters }
    }

    /// The `queue` label of the bot's outbox depth (conversations with replies pending).
    public static func queueName(for bot: BotID) -> String {
        "redis_outbox_\(bot.name)"
    }

    /// Sends what this instance's dispatcher hands over and what polls find,
    /// until graceful shutdown (what was handed over is still sent) or cancellation.
    public func run() async {
        let local = self.inbox.local
        let jobs = local.openReplies(for: self.bot, budget: self.budget)
        await withDiscardingTaskGroup { outer in
            outer.addTask { await self.watchClaims() }
            await self.relay(jobs)
            // Every send has ended: the watch may stop.
            outer.cancelAll()
        }
        self.logger.info("outbox relay stopped", metadata: ["bot": "\(self.bot)"])
    }

    /// Drains each conversation handed over or found by the poll (which
    /// also feeds `jobs`) until the jobs end at shutdown.
    private func relay(_ jobs: HandoffQueue<LocalHandoff.ReplyJob>) async {
        let local = self.inbox.local
        await withDiscardingTaskGroup { group in
            group.addTask {
                await self.poll(into: jobs)
                local.closeReplies(for: self.bot)
            }
            group.addTask { await self.probeWhilePaused() }
            for await job in jobs {
                switch job {
                case .claimed(let conversation, let token, let replies, let budgetReserved):
                    self.state.withLock { _ = $0.inFlight.insert(conversation) }
                    group.addTask {
                        await self.drain(
                            conversation, token: token, replies: replies.map { .success($0) },
                            budgetReserved: budgetReserved)
                        _ = self.state.withLock { $0.inFlight.remove(conversation) }
                    }
                case .due(let conversation, let score):
                    let limit = self.inbox.configuration.outboxConcurrency
                    let taken = self.state.withLock { state in
                        guard state.inFlight.count < limit else { return false }
                        return state.inFlight.insert(conversation).inserted
                    }
                    guard taken else { continue }
                    group.addTask {
                        await self.claim(conversation, observedScore: score)
                        _ = self.state.withLock { $0.inFlight.remove(conversation) }
                    }
                }
            }
        }
    }

    /// Renews the claims of the conversations with a send in flight.
    private func watchClaims() async {
        let client = self.inbox.client
        let claim = self.inbox.configuration.replyClaimLength.redisMilliseconds
        await self.claims.run { held in
            try await client.evaluate(DurableScripts.renew, keys: [.string(held.lease)], arguments: [.string(held.token), .integer(claim)]).int == 1
        } interrupt: { _, _ in
            // A lost claim ends nothing here: the send in flight goes on, and the settle after it tells.
        }
    }

    /// Looks for due conversations in the bot's outbox set until shutdown:
    /// every ``DurablePipelineConfiguration/outboxPollInterval`` while it
    /// finds some, backing off to once a second while it finds none (replies
    /// committed here do not wait for it; it finds retries and other
    /// instances' leftovers, which wait seconds anyway).
    private func poll(into jobs: HandoffQueue<LocalHandoff.ReplyJob>) async {
        let configuration = self.inbox.configuration
        let outbox = self.inbox.keys.bot(self.bot).outbox
        let gauge = self.gateway.queueDepthGauge(queue: Self.queueName(for: self.bot))
        let idleInterval = max(configuration.outboxPollInterval, .seconds(1))
        var interval = configuration.outboxPollInterval
        while !InboxDispatcher.isStopping {
            do {
                let free = configuration.outboxConcurrency - self.state.withLock { $0.inFlight.count }
                let now = try await self.inbox.redisNow()
                // The depth rides along with the look for due entries: one round trip.
                let replies = try await self.inbox.client.pipeline([
                    [
                        "ZRANGE", .string(outbox), "-inf", .integer(now), "BYSCORE",
                        "LIMIT", 0, .integer(max(free, 0) + 16), "WITHSCORES",
                    ],
                    ["ZCARD", .string(outbox)],
                ])
                let due = free > 0 ? try replies[0].get().array ?? [] : []
                interval = due.isEmpty ? min(interval * 2, idleInterval) : configuration.outboxPollInterval
                for index in stride(from: 0, to: due.count - 1, by: 2) {
                    guard let conversation = due[index].string, let score = due[index + 1].string else { continue }
                    jobs.yield(.due(conversation: conversation, score: score))
                }
                gauge.record(try replies[1].get().int ?? 0)
            } catch {
                self.logger.debug("outbox poll failed; retrying", metadata: ["bot": "\(self.bot)", "error": "\(error)"])
            }
            await InboxDispatcher.pause(for: interval)
        }
    }

    /// Claims the outbox of a conversation a poll found, then sends its
    /// replies; forgets the conversation when its outbox is empty.
    private func claim(_ conversation: String, observedScore: String?) async {
        let configuration = self.inbox.configuration
        let keys = self.inbox.keys.conversation(conversation, of: self.bot)
        let outbox = self.inbox.keys.bot(self.bot).outbox
        let client = self.inbox.client
        let token = self.inbox.roster.me.token()
        let window = configuration.takeoverWindow.redisMilliseconds
        do {
            var claim: [RedisValue] = []
            // Twice at most: a claim whose holder is gone is freed, then taken.
            for _ in 0..<2 {
                claim = try await client.evaluate(
                    DurableScripts.claimReplies,
                    keys: [.string(keys.outboxLease), .string(keys.outbox), .string(keys.lease)],
                    arguments: [.string(token), .integer(configuration.replyClaimLength.redisMilliseconds), .integer(configuration.repliesPerClaim)]
                ).array ?? []
                guard claim.first?.int == 0, claim.count > 2, let holder = claim[2].string,
                    self.inbox.roster.isGone(holderOf: holder) == true || self.isOwnAbandoned(holder),
                    try await client.evaluate(DurableScripts.takeOverClaim, keys: [.string(keys.outboxLease)], arguments: [.string(holder)]).int == 1
                else { break }
                self.logger.notice("replies taken over from an instance that stopped", metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)"])
                self.inbox.metrics.record("replies_taken_over", bot: self.bot)
            }
            switch claim.first?.int {
            case 0:
                // Held by a live relay: looked at again within the window, in case it dies.
                let remaining = claim.count > 1 ? max(claim[1].int ?? 0, 1) : window
                try await self.reschedule(conversation, in: min(remaining, window))
            case 1:
                if let observedScore {
                    try await client.evaluate(DurableScripts.forget, keys: [.string(outbox)], arguments: [.string(conversation), .string(observedScore)])
                }
            case 2:
                try await self.reschedule(conversation, in: window)
                await self.drain(conversation, token: token, replies: claim.dropFirst().map(Self.decode))
            case 3:
                // A step is being committed: forgetting the entry now could strand its replies.
                try await self.reschedule(conversation, in: configuration.outboxPollInterval.redisMilliseconds)
            default:
                throw DurablePipelineError(code: .unexpectedReply, message: "the claim script answered \(claim)")
            }
        } catch {
            // The claim, if taken, expires; the replies stay and are tried again.
            self.logger.warning("outbox relay step failed", metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)", "error": "\(error)"])
        }
    }

    /// Whether `holder` is a claim of this very run: no task here sends the
    /// conversation (this one holds it in `inFlight`), so it was left by a
    /// step that failed after claiming — Redis unreachable mid-step — and
    /// would otherwise stall the replies until the claim expires.
    private func isOwnAbandoned(_ holder: String) -> Bool {
        guard let owner = InstanceIdentity.holder(of: holder) else { return false }
        let me = self.inbox.roster.me
        return owner.id == me.id && owner.run == me.run
    }

    private static func decode(_ entry: RedisValue) -> Result<OutboxEnvelope.Stored, any Error> {
        Result { try OutboxEnvelope.decodeStored(entry.bytes ?? []) }
    }

    /// Sends claimed replies in order, settles them, and goes on with any
    /// committed meanwhile, until the outbox is empty, a send fails
    /// transiently, or the relay stops. `budgetReserved`: the first batch's
    /// sends were taken from the shared budget at commit.
    private func drain(_ conversation: String, token: String, replies: [Result<OutboxEnvelope.Stored, any Error>], budgetReserved: Bool = false) async {
        let configuration = self.inbox.configuration
        let keys = self.inbox.keys.conversation(conversation, of: self.bot)
        var batch = replies
        var reserved = budgetReserved
        do {
            while true {
                // Replies are settled as Telegram answers each, the claim kept
                // alive while one is in flight (a 429 may hold it longer than the
                // claim): a takeover resends at most the reply in flight, and
                // callback answers before it, whose repeat changes nothing. So a
                // callback answer waits to be settled with what follows it, and
                // the last of a batch is settled with the batch: an answer and
                // its edit cost one settle.
                var done = 0
                var retry = false
                var record = ""
                for (index, reply) in batch.enumerated() {
                    guard case .settled(let made) = await self.sendHoldingClaim(reply, conversation: conversation, token: token, budgetReserved: reserved) else {
                        retry = true
                        break
                    }
                    done += 1
                    if index < batch.count - 1 && !Self.repeatsHarmlessly(reply) {
                        guard try await self.settle(done, of: conversation, token: token, record: made ?? "") else {
                            self.logger.warning("outbox claim lost mid-send; the replies left are sent by its new holder", metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)"])
                            return
                        }
                        done = 0
                    } else if index == batch.count - 1 {
                        record = made ?? ""
                    }
                }
                reserved = false
                let goOn = !retry && !InboxDispatcher.isStopping
                let settled = try await self.inbox.client.evaluate(
                    DurableScripts.settleReplies,
                    keys: [.string(keys.outboxLease), .string(keys.outbox), .string(keys.sent)],
                    arguments: [
                        .string(token), .integer(done), goOn ? "1" : "0",
                        .integer(configuration.replyClaimLength.redisMilliseconds), .integer(configuration.repliesPerClaim),
                        .string(record), .integer(configuration.fsmTTL.redisSeconds),
                    ]
                ).array ?? []
                switch settled.first?.int {
                case 2:
                    batch = settled.dropFirst().map(Self.decode)
                case 1:
                    let left = settled.count > 1 ? (settled[1].int ?? 0) : 0
                    if retry && InboxDispatcher.isStopping {
                        // Handed back at shutdown: another instance sends them at once.
                        try await self.reschedule(conversation, in: 0)
                    } else if retry {
                        self.state.withLock { $0.counters.deferred += 1 }
                        self.inbox.metrics.record("reply_retry", bot: self.bot)
                        try await self.reschedule(conversation, in: configuration.outboxRetryDelay.redisMilliseconds)
                    } else if left > 0 {
                        try await self.reschedule(conversation, in: 0)
                    }
                    return
                default:
                    self.logger.warning("outbox claim lost mid-send; the replies left are sent again", metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)"])
                    return
                }
            }
        } catch {
            // The claim expires; the replies stay and are tried again.
            self.logger.warning("outbox relay step failed", metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)", "error": "\(error)"])
        }
    }

    /// ``send(_:conversation:migrated:budgetReserved:)`` while the claim
    /// watch renews the claim every third of its length.
    private func sendHoldingClaim(_ reply: Result<OutboxEnvelope.Stored, any Error>, conversation: String, token: String, budgetReserved: Bool) async -> Sent {
        let id = self.claims.start(HeldClaim(lease: self.inbox.keys.conversation(conversation, of: self.bot).outboxLease, token: token))
        defer { _ = self.claims.end(id) }
        return await self.send(reply, conversation: conversation, budgetReserved: budgetReserved)
    }

    /// Settles the `count` replies answered since the last settle, the last
    /// of them just now, recording `record` (`method:message_id`, or empty);
    /// false when the claim was lost.
    private func settle(_ count: Int, of conversation: String, token: String, record: String) async throws -> Bool {
        let configuration = self.inbox.configuration
        let keys = self.inbox.keys.conversation(conversation, of: self.bot)
        return try await self.inbox.client.evaluate(
            DurableScripts.settleSomeReplies,
            keys: [.string(keys.outboxLease), .string(keys.outbox), .string(keys.sent)],
            arguments: [
                .string(token), .integer(configuration.replyClaimLength.redisMilliseconds), .string(record),
                .integer(configuration.fsmTTL.redisSeconds), .integer(count),
            ]
        ).int == 1
    }

    /// Whether sending `reply` again after a takeover would change nothing a
    /// user sees: a callback answer (Telegram shows a query's answer once,
    /// and refuses a late one as "query is too old").
    static func repeatsHarmlessly(_ reply: Result<OutboxEnvelope.Stored, any Error>) -> Bool {
        if case .success(let stored) = reply, case .answerCallbackQuery = stored.call { return true }
        return false
    }

    /// A conversation's claim held by a send in flight.
    private struct HeldClaim: Sendable {
        let lease: String
        let token: String
    }

    /// What became of one reply.
    private enum Sent: Sendable {
        /// Done with: accepted (with `method:message_id` when Telegram made a
        /// message of it), refused for good, or unreadable.
        case settled(String?)
        /// To be tried again later.
        case retry
    }

    /// Sends one reply. A reply refused for good, or unreadable, is dropped
    /// and counts as done.
    private func send(_ reply: Result<OutboxEnvelope.Stored, any Error>, conversation: String, migrated: Bool = false, budgetReserved: Bool = false) async -> Sent {
        // Paused: every call would fail the same way; the reply waits.
        guard self.pauseReason == nil else { return .retry }
        let call: OutboundCall
        var body: [UInt8]?
        switch reply {
        case .success(let stored) where stored.isExpiredCallbackAnswer(now: self.inbox.sharedDate):
            // Telegram would refuse it ("query is too old"): waiting or retrying cannot help.
            self.logger.info("callback answer older than Telegram's window; dropped", metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)"])
            self.count(\.dropped, event: "callback_expired")
            return .settled(nil)
        case .success(let stored):
            call = stored.call
            body = stored.body
        case .failure(let error):
            self.logger.error("dropping an outbox entry that is not a valid reply", metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)", "error": "\(error)"])
            self.count(\.dropped, event: "reply_refused")
            return .settled(nil)
        }
        // Only a new message has an id worth keeping (edits keep theirs).
        let makesMessage = switch call {
            case .sendMessage, .sendPhoto: true
            default: false
        }
        switch await self.sender.send(call, priority: .high, readingResult: makesMessage, budgetReserved: budgetReserved, body: body) {
        case .delivered(let message):
            self.count(\.sent, event: "reply_sent")
            return .settled(message.map { "\(call.methodName):\($0.messageID)" })
        case .failed(let error) where error.migrateToChatID != nil:
            // The group became a supergroup: the reply goes there instead, at
            // once (once: a supergroup does not move again).
            guard !migrated, let supergroup = error.migrateToChatID, let moved = call.moved(to: supergroup) else {
                self.count(\.dropped, event: "reply_refused")
                return .settled(nil)
            }
            self.logger.notice(
                "group upgraded to a supergroup; the reply goes to the new chat",
                metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)", "chat": "\(supergroup)"]
            )
            self.inbox.metrics.record("chat_migrated", bot: self.bot)
            return await self.send(.success(OutboxEnvelope.Stored(call: moved, committedAt: nil)), conversation: conversation, migrated: true)
        case .failed(let error) where error.disposition == .botUnavailable:
            self.pause(because: error)
            return .retry
        case .failed(let error) where error.disposition == .permanent && Self.isAlreadyTrue(error):
            // The edit is what the message already shows, or the query's window
            // closed: nothing was lost, so no dead letter.
            self.count(\.dropped, event: "reply_moot")
            return .settled(nil)
        case .failed(let error) where error.disposition == .permanent:
            self.logger.notice(
                "reply refused by the Bot API; kept as a dead letter",
                metadata: ["bot": "\(self.bot)", "conversation": "\(conversation)", "method": "\(call.methodName)", "error": "\(error.code)"]
            )
            self.count(\.dropped, event: "reply_refused")
            await self.keep(call, refusedWith: error, conversation: conversation)
            return .settled(nil)
        case .failed, .abandoned:
            return .retry
        }
    }

    /// Whether a refusal only says the reply has nothing left to do: an edit
    /// to what the message already shows (a button pressed twice), or a
    /// callback answer past its window.
    static func isAlreadyTrue(_ error: BotAPIError) -> Bool {
        error.code == .badRequest
            && (error.description.contains("message is not modified") || error.description.contains("query is too old"))
    }

    /// Keeps a reply the Bot API refused for good as a dead letter, so an
    /// operator sees what was not delivered and why (and may replay it).
    private func keep(_ call: OutboundCall, refusedWith error: BotAPIError, conversation: String) async {
        do {
            let letter = DeadLetter(
                id: "r" + InstanceIdentity.randomRun(),
                bot: self.bot,
                conversation: conversation,
                updateID: 0,
                update: String(decoding: try OutboxEnvelope.encode(call), as: UTF8.self),
                reason: .replyRefused,
                error: "\(call.methodName): \(error.errorCode.map(String.init) ?? "-") \(error.description)",
                attempts: 1,
                time: self.inbox.sharedDate
            )
            try await self.deadLetters.add(letter)
        } catch {
            self.logger.warning("could not keep a refused reply as a dead letter", metadata: ["bot": "\(self.bot)", "error": "\(error)"])
        }
    }

    /// Stops sending for the whole bot: the failure is about the bot (its
    /// token, its base URL, what answers there), not about a reply.
    private func pause(because error: BotAPIError) {
        let hint =
            switch error.code {
            case .unauthorized: "the token was refused (401): check the bot's token"
            case .notFound: "the Bot API answered 404: check TELEGRAM_API_URL and the token"
            default: "the answer was not the Bot API's: check TELEGRAM_API_URL and any proxy"
            }
        let first = self.state.withLock { state -> Bool in
            defer { state.pauseReason = hint }
            return state.pauseReason == nil
        }
        if first {
            self.logger.error("the bot cannot send; replies stay queued and sending resumes once getMe succeeds", metadata: ["bot": "\(self.bot)", "reason": "\(hint)"])
            self.inbox.metrics.record("sending_paused", bot: self.bot)
        }
    }

    /// While paused, asks `getMe` every ``probeInterval``; its success resumes sending.
    private func probeWhilePaused() async {
        while !InboxDispatcher.isStopping {
            await InboxDispatcher.pause(for: Self.probeInterval)
            guard self.pauseReason != nil, !InboxDispatcher.isStopping else { continue }
            if case .success = await self.sender.probe() {
                self.state.withLock { $0.pauseReason = nil }
                self.logger.notice("the bot can send again; sending resumes", metadata: ["bot": "\(self.bot)"])
                self.inbox.metrics.record("sending_resumed", bot: self.bot)
            }
        }
    }

    private func count(_ counter: WritableKeyPath<Counters, Int>, event: String) {
        self.state.withLock { $0.counters[keyPath: counter] += 1 }
        self.inbox.metrics.record(event, bot: self.bot)
    }

    private func reschedule(_ conversation: String, in milliseconds: Int) async throws {
        let outbox = self.inbox.keys.bot(self.bot).outbox
        let now = try await self.inbox.redisNow()
        try await self.inbox.client.send([
            "ZADD", .string(outbox), "XX", .integer(now &+ milliseconds), .string(conversation),
        ])
    }
}
