import Foundation
public import Logging
public import RedisClient
public import TelegramBotAPI

/// The durable inbox: an ``UpdateSink`` that appends each update to its
/// conversation's list in Redis before the webhook answers 200, and the
/// operations dispatchers use to take, commit and recover conversations.
///
/// Appending is one Lua script over the conversation's keys: it drops an
/// `update_id` seen in the last ``DurablePipelineConfiguration/dedupTTL``,
/// refuses an update when the conversation holds
/// ``DurablePipelineConfiguration/conversationCap`` (the webhook answers 503
/// and Telegram retries later; other conversations are not affected), and
/// marks the conversation ready. A conversation with work sits once in its
/// bot's runnable set; a dispatcher leases it, handles its oldest update and
/// commits, which releases it or puts it back at the tail. See the README's
/// "Redis key layout" for why this keeps each conversation in order across
/// instances.
///
/// Stateless apart from its configuration: any number of instances share one Redis.
public final class RedisInbox: UpdateSink {
    /// The pipeline's settings.
    public let configuration: DurablePipelineConfiguration
    /// The key names.
    public let keys: RedisKeyspace
    let client: RedisClient
    let logger: Logger
    let metrics = DurableMetrics()
    /// The shortcuts to this instance's dispatcher and relays.
    let local = LocalHandoff()
    /// This run's identity, Redis's clock and the other instances' heartbeats.
    let roster: InstanceRoster
    private let preload: Preload?

    /// Names the keys to read along with a conversation's state; `update` is
    /// the one being appended, nil when a dispatcher leases the conversation
    /// from the runnable set (its head is not known before).
    public typealias Preload = @Sendable (_ bot: BotID, _ conversation: String, _ update: Update?) -> [String]

    /// Creates an inbox on `client`. `preload` names keys to read in the
    /// same script that leases a conversation (the user's profile and
    /// rate-limit counters, for a private chat); keys outside the
    /// conversation's hash tag are not read, as a script may touch one slot only.
    public init(client: RedisClient, configuration: DurablePipelineConfiguration = .init(), logger: Logger, preload: Preload? = nil) {
        self.client = client
        self.configuration = configuration
        self.keys = RedisKeyspace(prefix: configuration.keyPrefix)
        self.roster = InstanceRoster(me: InstanceIdentity(id: configuration.instanceID), silenceLimit: configuration.silenceLimit)
        self.logger = logger
        self.preload = preload
    }

    /// The keys to preload for `conversation`: those of its hash tag.
    private func preloadKeys(_ conversation: String, of bot: BotID, update: Update?, keys: RedisKeyspace.Conversation) -> [String] {
        (self.preload?(bot, conversation, update) ?? []).filter { $0.hasPrefix(keys.tag) }
    }

    /// Pairs `keys` with the {value, PTTL} pairs a script returned for them.
    private static func preloaded(_ keys: [String], in parts: [RedisValue], at index: Int) -> [PreloadedValue] {
        guard parts.count > index, let pairs = parts[index].array else { return [] }
        return keys.enumerated().compactMap { offset, key in
            guard pairs.count > offset * 2 + 1 else { return nil }
            return PreloadedValue(key: key, value: pairs[offset * 2].bytes, millisecondsToLive: pairs[offset * 2 + 1].int ?? -2)
        }
    }

    /// This instance's identity.
    public var instance: InstanceIdentity { self.roster.me }

    /// Redis's clock as a date, for stamps compared on other instances (a
    /// callback answer's commit time); this host's clock before the first heartbeat.
    var sharedDate: Date {
        self.roster.now().map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? self.configuration.wallClock()
    }

    /// Encodes replies for the outbox, stamped with Redis's clock.
    func encode(_ replies: [OutboundCall]) throws -> [OutboxEnvelope.Prepared] {
        let date = self.sharedDate
        return try replies.map { try OutboxEnvelope.prepare($0, at: date) }
    }

    /// Redis's clock now, in milliseconds since 1970: the scores of the
    /// `watch`, `runnable` and `outbox` sets. Asks Redis `TIME` only until
    /// the first heartbeat.
    func redisNow() async throws -> Int {
        if let now = self.roster.now() { return now }
        let time = try await self.client.send(["TIME"]).array ?? []
        guard time.count == 2, let seconds = time[0].string.flatMap({ Int($0) }), let micros = time[1].string.flatMap({ Int($0) }) else {
            throw DurablePipelineError(code: .unexpectedReply, message: "TIME answered \(time)")
        }
        let now = seconds.multipliedReportingOverflow(by: 1000).partialValue &+ micros / 1000
        self.roster.update(redisNow: now, beats: nil)
        return now
    }

    public func accept(_ update: Update, raw: [UInt8], bot: BotID) async throws {
        let conversation = RedisKeyspace.conversation(of: update)
        let botKeys = self.keys.bot(bot)
        let keys = self.keys.conversation(conversation, of: bot)
        // Watched first (in the same round trip): if this process dies
        // between the append and the push to the runnable set, the sweeper
        // still finds the conversation.
        let now = try await self.redisNow()
        let watch: [RedisArgument] = [
            "ZADD", .string(botKeys.watch), "GT",
            .integer(now &+ self.configuration.takeoverWindow.redisMilliseconds), .string(conversation),
        ]
        // While this instance's dispatcher has room, the script also leases
        // an idle conversation to it, which then needs no runnable set.
        let token = self.local.reserveStep() ? self.roster.me.token() : nil
        let preload = token == nil ? [] : self.preloadKeys(conversation, of: bot, update: update, keys: keys)
        let reply: RedisValue
        do {
            reply = try await self.client.evaluate(
                after: [watch],
                DurableScripts.append,
                keys: [.string(keys.queue), .string(keys.seen), .string(keys.lease), .string(keys.state), .string(keys.attempts)]
                    + preload.map { .string($0) },
                arguments: [
                    .bytes(raw), .integer(self.configuration.conversationCap), .integer(self.configuration.dedupTTL.redisSeconds),
                    .string(token ?? ""), .integer(self.configuration.leaseTimeout.redisMilliseconds),
                    .integer(update.updateID),
                ]
            )
        } catch {
            if token != nil { self.local.endStep() }
            throw error
        }
        if let token, let leased = reply.array, leased.first?.int == 3 {
            let item = InboxItem(
                delivery: UpdateDelivery(update: update, raw: raw, bot: bot),
                conversation: conversation,
                state: leased.count > 1 ? leased[1].bytes : nil,
                preloaded: Self.preloaded(preload, in: leased, at: 2),
                leaseToken: token,
                attempt: 1
            )
            if !self.local.handOver(item) {
                try await self.release(item, refund: true)
            }
            return
        }
        if token != nil { self.local.endStep() }
        switch reply.int {
        case 0:
            self.metrics.record("duplicate", bot: bot)
        case -1:
            self.metrics.record("full", bot: bot)
            throw UpdateSinkError(
                code: .full,
                message: "conversation \(conversation) holds \(self.configuration.conversationCap) updates; retry later"
            )
        case 1:
            break
        case 2:
            try await self.client.send(["ZADD", .string(botKeys.runnable), "NX", .integer(now), .string(conversation)])
        default:
            throw DurablePipelineError(code: .unexpectedReply, message: "the append script answered \(reply)")
        }
    }

    /// What ``lease(_:of:)`` found.
    enum Lease {
        /// Another dispatcher is on the conversation, or it has nothing to do.
        case none
        case item(InboxItem)
        /// The head is not an update this version can read; drop it with ``commit(token:conversation:bot:outcome:encoded:)``.
        case undecodable(token: String, raw: [UInt8], error: UpdateDecodingError)
    }

    /// Takes `conversation` for this dispatcher, if nobody holds it, with
    /// its head update and state, counting one more attempt at the update.
    func lease(_ conversation: String, of bot: BotID) async throws -> Lease {
        let keys = self.keys.conversation(conversation, of: bot)
        let token = self.roster.me.token()
        let preload = self.preloadKeys(conversation, of: bot, update: nil, keys: keys)
        let reply = try await self.client.evaluate(
            DurableScripts.lease,
            keys: [.string(keys.lease), .string(keys.queue), .string(keys.state), .string(keys.attempts), .string(keys.lastError)]
                + preload.map { .string($0) },
            arguments: [.string(token), .integer(self.configuration.leaseTimeout.redisMilliseconds), .integer(self.configuration.dedupTTL.redisSeconds)]
        )
        guard let parts = reply.array, let status = parts.first?.int else {
            throw DurablePipelineError(code: .unexpectedReply, message: "the lease script answered \(reply)")
        }
        guard status == 2, parts.count >= 2, let raw = parts[1].bytes else { return .none }
        let attempt = parts.count > 4 ? max(parts[4].int ?? 1, 1) : 1
        let lastError = parts.count > 5 ? parts[5].string : nil
        do {
            let update = try Update.decode(from: raw)
            let state = parts.count > 2 ? parts[2].bytes : nil
            return .item(InboxItem(
                delivery: UpdateDelivery(update: update, raw: raw, bot: bot),
                conversation: conversation,
                state: state,
                preloaded: Self.preloaded(preload, in: parts, at: 3),
                leaseToken: token,
                attempt: attempt,
                lastError: lastError
            ))
        } catch {
            return .undecodable(token: token, raw: raw, error: error)
        }
    }

    /// Extends the lease of `item`; false when it was lost.
    func renew(_ item: InboxItem) async throws -> Bool {
        let keys = self.keys.conversation(item.conversation, of: item.delivery.bot)
        return try await self.client.evaluate(
            DurableScripts.renew,
            keys: [.string(keys.lease)],
            arguments: [.string(item.leaseToken), .integer(self.configuration.leaseTimeout.redisMilliseconds)]
        ).int == 1
    }

    /// Releases the lease of `item` without committing — its step was cut
    /// off — so any dispatcher takes the update again at once instead of
    /// after the lease expires. `refund` gives the attempt back (the step
    /// was stopped, it did not fail).
    func release(_ item: InboxItem, refund: Bool) async throws {
        let keys = self.keys.conversation(item.conversation, of: item.delivery.bot)
        let released = try await self.client.evaluate(
            DurableScripts.release,
            keys: [.string(keys.lease), .string(keys.attempts)],
            arguments: [.string(item.leaseToken), refund ? "1" : "0"]
        )
        if released.int == 1 {
            try await self.giveBack(item.conversation, of: item.delivery.bot)
        }
    }

    /// Backs `item`'s conversation off for `delay` after its step failed
    /// with `error`; the sweeper makes it runnable again once the delay is
    /// over. False when the lease was lost meanwhile.
    func fail(_ item: InboxItem, delay: Duration, error: String) async throws -> Bool {
        let keys = self.keys.conversation(item.conversation, of: item.delivery.bot)
        let now = try await self.redisNow()
        return try await self.client.evaluate(
            after: [["ZADD", .string(self.keys.bot(item.delivery.bot).watch), .integer(now &+ delay.redisMilliseconds), .string(item.conversation)]],
            DurableScripts.fail,
            keys: [.string(keys.lease), .string(keys.lastError)],
            arguments: [
                .string(item.leaseToken), .integer(delay.redisMilliseconds), .string(String(error.prefix(2000))),
                .integer(self.configuration.dedupTTL.redisSeconds),
            ]
        ).int == 1
    }

    /// Puts `raw`, an update of `conversation`, back at the tail of its
    /// queue, past dedup, and makes the conversation runnable (`dead-letters replay`).
    public func requeue(_ raw: [UInt8], conversation: String, of bot: BotID) async throws {
        let keys = self.keys.conversation(conversation, of: bot)
        let botKeys = self.keys.bot(bot)
        let now = try await self.redisNow()
        let requeued = try await self.client.evaluate(
            after: [["ZADD", .string(botKeys.watch), .integer(now &+ self.configuration.takeoverWindow.redisMilliseconds), .string(conversation)]],
            DurableScripts.requeue, keys: [.string(keys.queue), .string(keys.lease)], arguments: [.bytes(raw)])
        if requeued.int == 2 {
            try await self.client.send(["ZADD", .string(botKeys.runnable), "NX", .integer(now), .string(conversation)])
        }
    }

    /// Commits one step atomically: applies `outcome.state` (a new state gets the FSM
    /// TTL) and `outcome.writes` (those on keys outside the conversation's
    /// hash tag are dropped), appends `outcome.replies` to the conversation's outbox and
    /// acknowledges `item`, then hands the conversation to the next dispatcher
    /// if more updates wait, and the replies to this instance's relay if it
    /// could claim them.
    /// - Throws: ``DurablePipelineError`` `leaseLost` when another dispatcher
    ///   took the conversation over (nothing was written), `unencodableReply`
    ///   for a reply the outbox cannot hold; ``RedisError`` when Redis failed
    ///   (the step may or may not have been committed; committing again is safe).
    public func commit(_ item: InboxItem, outcome: StepOutcome) async throws {
        let replies = try self.encode(outcome.replies)
        try await self.commit(item, outcome: outcome, encoded: replies)
    }

    /// ``commit(_:outcome:)`` with the replies already encoded by ``OutboxEnvelope/encode(_:)`` as `encoded`.
    func commit(_ item: InboxItem, outcome: StepOutcome, encoded: [OutboxEnvelope.Prepared]) async throws {
        try await self.commit(token: item.leaseToken, conversation: item.conversation, bot: item.delivery.bot, outcome: outcome, encoded: encoded)
    }

    func commit(token: String, conversation: String, bot: BotID, outcome: StepOutcome, encoded: [OutboxEnvelope.Prepared]) async throws {
        let state = outcome.state
        let replies = outcome.replies
        let keys = self.keys.conversation(conversation, of: bot)
        let botKeys = self.keys.bot(bot)
        // With a relay here, the commit claims the replies for it; the entry
        // in the bot's outbox set then only matters if this process dies, so
        // other instances look at it once the claim has expired.
        let claim = !encoded.isEmpty && self.local.hasRelay(for: bot) ? self.roster.me.token() : nil
        let claimLength = self.configuration.replyClaimLength.redisMilliseconds
        let now = encoded.isEmpty ? 0 : try await self.redisNow()
        // Registered before the replies exist (in the same round trip), so a
        // crash after the commit cannot leave them unseen; the relay forgets
        // an empty entry.
        let register: [[RedisArgument]] =
            encoded.isEmpty
            ? []
            : [
                [
                    "ZADD", .string(botKeys.outbox),
                    .integer(now &+ (claim == nil ? 0 : self.configuration.takeoverWindow.redisMilliseconds)), .string(conversation),
                ]
            ]
        let mode: RedisArgument
        var stateBytes: [UInt8] = []
        switch state {
        case .keep: mode = "keep"
        case .set(let bytes): (mode, stateBytes) = ("set", bytes)
        case .clear: mode = "clear"
        }
        // Replies claimed for the relay here take their sends from the bot's
        // Telegram budget in this same round trip, so the relay need not.
        let reservation: [[RedisArgument]] = claim.flatMap { _ in self.local.budget(for: bot) }.map { [$0.reservation(for: replies, priority: .high)] } ?? []
        let writes = self.writes(outcome.writes, of: conversation, bot: bot, keys: keys)
        let arguments: [RedisArgument] =
            [
                .string(token), mode, .bytes(stateBytes), .integer(self.configuration.fsmTTL.redisSeconds),
                .string(claim ?? ""), .integer(claimLength), .integer(writes.count),
            ] + writes.flatMap { [.integer($0.count)] + $0 } + encoded.map { .bytes($0.bytes) }
        let (answers, reply) = try await self.client.evaluateReadingEach(
            after: reservation + register,
            DurableScripts.commit,
            keys: [
                .string(keys.lease), .string(keys.queue), .string(keys.state), .string(keys.outbox), .string(keys.outboxLease),
                .string(keys.attempts), .string(keys.lastError),
            ],
            arguments: arguments
        )
        guard let parts = reply.array, let status = parts.first?.int else {
            throw DurablePipelineError(code: .unexpectedReply, message: "the commit script answered \(reply)")
        }
        let budgetReserved = answers.first.map { !reservation.isEmpty && RedisSendBudget.isGranted($0) } ?? false
        let registered = answers.dropFirst(reservation.count)
        // The script ran even if Redis refused the registration (a write
        // command alone is refused out of memory; a script that has started
        // writing is not): the replies exist and must be registered.
        if status != -1, case .failure(let refusal)? = registered.first {
            try await self.registerAlone(register[0], conversation: conversation, bot: bot, refusal: refusal)
        }
        if status == -1 {
            self.metrics.record("lease_lost", bot: bot)
            throw DurablePipelineError(
                code: .leaseLost,
                message: "the lease on \(conversation) expired and another dispatcher took it over; raise REDIS_LEASE_TIMEOUT if steps take this long"
            )
        }
        switch parts.count > 1 ? parts[1].int : 0 {
        case 1:
            let handed = zip(replies, encoded).map { OutboxEnvelope.Stored(call: $0, committedAt: nil, body: $1.body) }
            if let claim, !self.local.handOver(.claimed(conversation: conversation, token: claim, replies: handed, budgetReserved: budgetReserved), for: bot) {
                try await self.releaseReplies(conversation, of: bot, token: claim)
            }
        case 2:
            _ = self.local.handOver(.due(conversation: conversation, score: nil), for: bot)
        default:
            break
        }
        if status == 1 {
            try await self.schedule(conversation, of: bot)
        }
    }

    /// Sends a refused outbox registration again, alone, until Redis takes
    /// it: without it the committed replies would wait for the
    /// conversation's next update. Gives up only when the task is cancelled
    /// (shutdown), leaving the replies to the next commit of the conversation.
    private func registerAlone(_ command: [RedisArgument], conversation: String, bot: BotID, refusal: RedisError) async throws {
        self.logger.warning(
            "Redis refused to register committed replies; retrying the registration alone until it lands",
            metadata: ["bot": "\(bot)", "conversation": "\(conversation)", "error": "\(refusal.message)"]
        )
        self.metrics.record("registration_retried", bot: bot)
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await self.client.send(command)
                self.logger.info("the replies' registration landed", metadata: ["bot": "\(bot)", "conversation": "\(conversation)", "attempts": "\(attempt + 1)"])
                return
            } catch {
                try await Task.sleep(for: .milliseconds(min(50 << min(attempt, 5), 1000)))
            }
        }
    }

    /// The writes a commit may run: each names a key of the conversation's
    /// hash tag as its first argument; others are dropped, and logged.
    private func writes(_ writes: [[RedisArgument]], of conversation: String, bot: BotID, keys: RedisKeyspace.Conversation) -> [[RedisArgument]] {
        writes.filter { write in
            if write.count >= 2, case .string(let key) = write[1], key.hasPrefix(keys.tag) {
                return true
            }
            self.logger.error("a step's write outside its conversation's hash tag was dropped", metadata: ["bot": "\(bot)", "conversation": "\(conversation)"])
            return false
        }
    }

    /// Ends a claim on replies nobody here will send, and makes them due at
    /// once for any relay.
    func releaseReplies(_ conversation: String, of bot: BotID, token: String) async throws {
        let keys = self.keys.conversation(conversation, of: bot)
        _ = try await self.client.evaluate(
            DurableScripts.settleReplies,
            keys: [.string(keys.outboxLease), .string(keys.outbox), .string(keys.sent)],
            arguments: [.string(token), 0, 0, 1, 1, "", 1]
        )
        try await self.client.send([
            "ZADD", .string(self.keys.bot(bot).outbox), .integer(try await self.redisNow()), .string(conversation),
        ])
    }

    /// Puts `envelope`, a reply as the outbox stores it, back at the tail
    /// of `conversation`'s outbox and makes it due at once (`dead-letters replay`).
    public func requeueReply(_ envelope: [UInt8], conversation: String, of bot: BotID) async throws {
        _ = try OutboxEnvelope.decodeStored(envelope)
        let now = try await self.redisNow()
        for reply in try await self.client.pipeline([
            ["ZADD", .string(self.keys.bot(bot).outbox), .integer(now), .string(conversation)],
            ["RPUSH", .string(self.keys.conversation(conversation, of: bot).outbox), .bytes(envelope)],
        ]) {
            _ = try reply.get()
        }
    }

    /// Makes `conversation` runnable (at the tail, unless it is runnable
    /// already) and sets when the sweeper looks at it next. `ZADD NX` keeps
    /// it once in the set at its first place, at O(log n).
    /// - Returns: Whether it was added (false: it was runnable already).
    @discardableResult
    func schedule(_ conversation: String, of bot: BotID) async throws -> Bool {
        let botKeys = self.keys.bot(bot)
        let now = try await self.redisNow()
        let replies = try await self.client.pipeline([
            ["ZADD", .string(botKeys.runnable), "NX", .integer(now), .string(conversation)],
            ["ZADD", .string(botKeys.watch), .integer(now &+ self.configuration.takeoverWindow.redisMilliseconds), .string(conversation)],
        ])
        _ = try replies[1].get()
        return try replies[0].get().int == 1
    }

    /// Gives back a conversation taken from the runnable set but not leased
    /// (the dispatcher is stopping), or released: first in line, so it keeps its turn.
    func giveBack(_ conversation: String, of bot: BotID) async throws {
        try await self.client.send(["ZADD", .string(self.keys.bot(bot).runnable), 0, .string(conversation)])
    }
}
