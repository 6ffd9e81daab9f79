import CurlHTTP
import Foundation
@testable import Gateway
import GatewayTestSupport
import Logging
import RedisClient
import Synchronization
import TelegramBotAPI
import TelegramEmulator
import Testing

/// Attempts, backoff and dead letters; bounded dedup; fast takeover by heartbeat.
@Suite("Durable pipeline: failures, dead letters and takeovers")
struct FailureAndTakeoverTests {
    @Test("the retry policy: a growing delay, then a dead letter at the limit; a step past the limit never runs")
    func retryPolicy() {
        let policy = StepRetryPolicy(attempts: 5, firstDelay: .seconds(1), longestDelay: .seconds(30))
        #expect(policy.afterFailure(attempt: 1) == .retry(after: .seconds(1)))
        #expect(policy.afterFailure(attempt: 2) == .retry(after: .seconds(2)))
        #expect(policy.afterFailure(attempt: 4) == .retry(after: .seconds(8)))
        #expect(policy.afterFailure(attempt: 5) == .deadLetter)
        #expect(policy.afterFailure(attempt: Int.max) == .deadLetter)
        #expect(StepRetryPolicy(attempts: 100, firstDelay: .seconds(1)).afterFailure(attempt: 90) == .retry(after: .seconds(30)))
        #expect(policy.mayRun(attempt: 5))
        #expect(!policy.mayRun(attempt: 6))
        #expect(StepRetryPolicy(attempts: 0).attempts == 1)
    }

    @Test("after a failover lost entries of the watch and outbox sets, reconcile finds the conversations with work again and leaves surviving entries alone")
    func reconcileRebuildsLostIndexEntries() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(), logger: DurableTests.logger)
        let bot = inbox.keys.bot(DurableTests.bot)
        let (update, raw) = try DurableTests.update(id: 90, chat: 900, sequence: 1)
        try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
        let (kept, keptRaw) = try DurableTests.update(id: 91, chat: 902, sequence: 1)
        try await inbox.accept(kept, raw: keptRaw, bot: DurableTests.bot)
        try await redis.send("RPUSH", .string(inbox.keys.conversation("901", of: DurableTests.bot).outbox), "a reply")
        // What a replica that missed the newest writes would hold.
        try await redis.send("ZREM", .string(bot.watch), "900")
        try await redis.send("DEL", .string(bot.outbox))
        try await redis.send("ZADD", .string(bot.watch), "XX", 42, "902")

        #expect(try await inbox.reconcile(DurableTests.bot) == 3)
        #expect(try await redis.send("ZSCORE", .string(bot.watch), "900") != .null)
        #expect(try await redis.send("ZSCORE", .string(bot.outbox), "901") != .null)
        #expect(try await redis.send("ZSCORE", .string(bot.watch), "902").int == 42, "a surviving entry keeps its score")
        #expect(try await redis.send("ZCARD", .string(bot.watch)).int == 2)
        try await TestRedis.deleteKeys(prefix: inbox.configuration.keyPrefix, on: redis)
        await redis.close()
    }

    @Test("a step that keeps throwing is tried DEAD_LETTER_AFTER times with backoff, then kept as a dead letter; the user is told once; replay runs it again", .timeLimit(.minutes(1)))
    func aThrowingStepBecomesADeadLetter() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        var configuration = DurableTests.pipeline()
        configuration.deadLetterAfter = 3
        configuration.retryDelay = .milliseconds(100)
        let inbox = RedisInbox(client: redis, configuration: configuration, logger: DurableTests.logger)
        let store = RedisDeadLetterStore(client: redis, keyPrefix: configuration.keyPrefix)
        let recorder = StepRecorder()
        let tries = Mutex<[Int]>([])
        let healed = Atomic(false)
        let (poison, poisonRaw) = try DurableTests.update(id: 70, chat: 700, sequence: 1)
        let (next, nextRaw) = try DurableTests.update(id: 71, chat: 700, sequence: 2)
        let (other, otherRaw) = try DurableTests.update(id: 72, chat: 701, sequence: 1)
        let dispatcher = InboxDispatcher(
            inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger,
            notice: { item in [.sendMessage(SendMessage(chatID: item.delivery.update.chat?.id ?? 0, text: "something went wrong"))] }
        ) { item in
            if item.delivery.update.updateID == 70 && !healed.load(ordering: .relaxed) {
                tries.withLock { $0.append(item.attempt) }
                throw DurableTestError("the backend is broken")
            }
            recorder.record(item)
            return .unchanged
        }
        for (update, raw) in [(poison, poisonRaw), (next, nextRaw), (other, otherRaw)] {
            try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
        }
        let keys = inbox.keys.conversation("700", of: DurableTests.bot)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            // The other conversation is not held up by the failing one.
            #expect(await DurableTests.eventually(timeout: .seconds(5)) { recorder.counts[72] == 1 })
            #expect(await DurableTests.eventually(timeout: .seconds(20)) { recorder.counts[71] == 1 }, "the conversation goes on after the dead letter")
            #expect(tries.withLock { $0 } == [1, 2, 3])
            let letter = try #require(try await store.letter(DeadLetter.id(ofUpdate: 70), of: DurableTests.bot))
            #expect(letter.reason == .stepFailed)
            #expect(letter.attempts == 3)
            #expect(letter.conversation == "700")
            #expect(letter.error.contains("the backend is broken"))
            #expect(Array(letter.update.utf8) == poisonRaw)
            // The notice, once, in the conversation's outbox (no relay runs here).
            let outbox = try await redis.send(["LRANGE", .string(keys.outbox), 0, -1]).array ?? []
            #expect(outbox.count == 1)
            #expect(outbox.first?.string?.contains("something went wrong") == true)
            #expect(try await redis.send(["EXISTS", .string(keys.attempts), .string(keys.lastError)]).int == 0)

            // Replay: the fixed handler runs it, after the conversation's other updates.
            healed.store(true, ordering: .relaxed)
            try await inbox.requeue(Array(letter.update.utf8), conversation: letter.conversation, of: DurableTests.bot)
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.counts[70] == 1 })
            group.cancelAll()
        }
        #expect(recorder.sequences[700] == [2, 1])
        await redis.close()
    }

    @Test("a refusal that only says the reply has nothing to do is no dead letter; other refusals are")
    func mootRefusals() {
        func refusal(_ code: BotAPIError.Code, _ errorCode: Int, _ text: String) -> BotAPIError {
            BotAPIError(code, method: "editMessageText", errorCode: errorCode, description: text)
        }
        #expect(OutboxRelay.isAlreadyTrue(refusal(.badRequest, 400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same")))
        #expect(OutboxRelay.isAlreadyTrue(refusal(.badRequest, 400, "Bad Request: query is too old and response timeout expired or query ID is invalid")))
        #expect(!OutboxRelay.isAlreadyTrue(refusal(.badRequest, 400, "Bad Request: message to edit not found")))
        #expect(!OutboxRelay.isAlreadyTrue(refusal(.forbidden, 403, "Forbidden: bot was blocked by the user")))
    }

    @Test("an inbox entry that is not an update is kept as a dead letter and the conversation goes on", .timeLimit(.minutes(1)))
    func anUndecodableEntryBecomesADeadLetter() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(), logger: DurableTests.logger)
        let recorder = StepRecorder()
        let keys = inbox.keys.conversation("750", of: DurableTests.bot)
        // Written by some other release, say: not JSON at all.
        try await redis.send(["RPUSH", .string(keys.queue), "<html>not an update</html>"])
        try await redis.send(["SET", .string(keys.lease), "ready"])
        try await inbox.schedule("750", of: DurableTests.bot)
        let (update, raw) = try DurableTests.update(id: 75, chat: 750, sequence: 2)
        try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            recorder.record(item)
            return .unchanged
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.counts[75] == 1 })
            group.cancelAll()
        }
        let letters = try await RedisDeadLetterStore(client: redis, keyPrefix: inbox.configuration.keyPrefix).recent(of: DurableTests.bot)
        #expect(letters.count == 1)
        #expect(letters.first?.reason == .undecodable)
        #expect(letters.first?.update == "<html>not an update</html>")
        #expect(letters.first?.id.hasPrefix("x") == true)
        await redis.close()
    }

    @Test("dedup keeps one integer per conversation: its newest id and which of the 20 before it were seen; redeliveries and older ids are dropped")
    func boundedDedup() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(cap: 1000), logger: DurableTests.logger)
        let keys = inbox.keys.conversation("800", of: DurableTests.bot)
        func append(_ id: Int) async throws -> Int {
            let before = try await redis.send(["LLEN", .string(keys.queue)]).int ?? 0
            let (update, raw) = try DurableTests.update(id: id, chat: 800, sequence: id)
            try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
            return (try await redis.send(["LLEN", .string(keys.queue)]).int ?? 0) - before
        }
        let base = 900_000_000
        for id in [1, 2, 3, 5, 8] { #expect(try await append(base + id) == 1) }
        #expect(try await append(base + 8) == 0, "the newest, redelivered")
        #expect(try await append(base + 3) == 0, "an older one, redelivered")
        #expect(try await append(base + 4) == 1, "an older one not seen yet, arriving late")
        #expect(try await append(base + 4) == 0)
        #expect(try await append(base + 30) == 1, "a jump past the window")
        #expect(try await append(base + 9) == 0, "older than the window: a redelivery, or too late to keep the order")
        #expect(try await append(base + 29) == 1)
        #expect(try await append(base + 10) == 1, "20 before the newest: still in the window")
        #expect(try await append(base + 10) == 0)
        #expect(try await redis.send(["OBJECT", "ENCODING", .string(keys.seen)]).string == "int", "one integer, no string or set")
        #expect(try await redis.send(["TTL", .string(keys.seen)]).int ?? 0 > 0)
        // Past 2^33 the pair is kept as text; the same rules hold.
        let far = 9_000_000_000
        #expect(try await append(far) == 1)
        #expect(try await append(far - 5) == 1)
        #expect(try await append(far - 5) == 0)
        #expect(try await append(far + 1) == 1)
        #expect(try await append(far) == 0)
        let scan = try await redis.send(["KEYS", .string("\(keys.tag):seen*")]).array ?? []
        #expect(scan.count == 1, "one dedup key per conversation")
        await redis.close()
    }

    /// Two instances' inboxes on clients of their own: `configure` adjusts each
    /// instance's configuration (its `INSTANCE_ID` is set already).
    static func twoInstances(
        _ names: (String, String), heartbeat: Duration, lease: Duration = .seconds(60),
        configure: (inout DurablePipelineConfiguration, inout DurablePipelineConfiguration) -> Void = { _, _ in }
    ) throws -> (RedisInbox, RedisInbox) {
        var configuration = DurableTests.pipeline(leaseTimeout: lease)
        configuration.heartbeatInterval = heartbeat
        let redisConfiguration = try DurableTests.sharedRedis()
        var first = configuration
        first.instanceID = names.0
        var second = configuration
        second.instanceID = names.1
        configure(&first, &second)
        return (
            RedisInbox(client: RedisClient(configuration: redisConfiguration, logger: DurableTests.logger), configuration: first, logger: DurableTests.logger),
            RedisInbox(client: RedisClient(configuration: redisConfiguration, logger: DurableTests.logger), configuration: second, logger: DurableTests.logger)
        )
    }

    /// Runs `body` with a heartbeat and a dispatcher for `inbox` until `body` ends; the
    /// heartbeat is cancelled, as a killed process falls silent (no goodbye).
    static func running(_ inbox: RedisInbox, recorder: StepRecorder, _ body: () async throws -> Void) async throws {
        let heartbeat = InstanceHeartbeat(inbox: inbox, logger: DurableTests.logger)
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            recorder.record(item)
            return .unchanged
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await heartbeat.run() }
            group.addTask { await dispatcher.run() }
            try await body()
            group.cancelAll()
        }
    }

    /// The clock of an instance that runs a minute ahead.
    static let aMinuteAhead: @Sendable () -> Date = { Date().addingTimeInterval(60) }

    @Test(
        "a conversation leased by an instance that falls silent, or restarts under the same INSTANCE_ID, or whose clock runs 60 s ahead, is taken over within 3 s, not after its 60 s lease",
        .timeLimit(.minutes(1)), arguments: [(false, false), (true, false), (false, true)])
    func fastTakeover(restartedUnderTheSameID: Bool, skewed: Bool) async throws {
        let (deadInbox, survivorInbox) = try Self.twoInstances(
            ("dying", restartedUnderTheSameID ? "dying" : "surviving"), heartbeat: .milliseconds(500)
        ) { dead, _ in
            if skewed { dead.wallClock = Self.aMinuteAhead }
        }
        let recorder = StepRecorder()

        // The dying instance beats, leases the conversation's head, then falls silent mid-step.
        let heartbeat = InstanceHeartbeat(inbox: deadInbox, logger: DurableTests.logger)
        try await heartbeat.beat()
        let (update, raw) = try DurableTests.update(id: 1, chat: 900, sequence: 1)
        try await deadInbox.accept(update, raw: raw, bot: DurableTests.bot)
        try await deadInbox.client.send(["ZPOPMIN", .string(deadInbox.keys.bot(DurableTests.bot).runnable)])
        guard case .item(let item) = try await deadInbox.lease("900", of: DurableTests.bot) else {
            Issue.record("the dying instance could not lease the conversation")
            return
        }
        #expect(item.leaseToken.hasPrefix("dying|"))

        let start = ContinuousClock.now
        try await Self.running(survivorInbox, recorder: recorder) {
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.handledCount == 1 })
        }
        let elapsed = ContinuousClock.now - start
        print("taken over after \(elapsed) (heartbeat 500 ms, lease 60 s, restarted under the same id: \(restartedUnderTheSameID), clock 60 s ahead: \(skewed))")
        #expect(elapsed < .seconds(3))
        let letter = try await survivorInbox.client.send(["GET", .string(survivorInbox.keys.conversation("900", of: DurableTests.bot).attempts)])
        #expect(letter.int == nil, "committed: the attempts are gone with the update")
        for inbox in [deadInbox, survivorInbox] { await inbox.client.close() }
    }

    @Test("a live holder is left alone however long its step takes, also by an instance whose clock runs 60 s ahead", .timeLimit(.minutes(1)))
    func aLiveHolderIsNotTakenOver() async throws {
        let (slowInbox, otherInbox) = try Self.twoInstances(("slow", "other"), heartbeat: .milliseconds(300)) { _, other in
            other.wallClock = Self.aMinuteAhead
        }
        let handled = Mutex<[String]>([])
        let slowDispatcher = InboxDispatcher(inbox: slowInbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            handled.withLock { $0.append("slow") }
            try await Task.sleep(for: .seconds(3))
            return .unchanged
        }
        let otherDispatcher = InboxDispatcher(inbox: otherInbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            handled.withLock { $0.append("other") }
            return .unchanged
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await InstanceHeartbeat(inbox: slowInbox, logger: DurableTests.logger).run() }
            group.addTask { await slowDispatcher.run() }
            let (update, raw) = try DurableTests.update(id: 1, chat: 950, sequence: 1)
            try await slowInbox.accept(update, raw: raw, bot: DurableTests.bot)
            #expect(await DurableTests.eventually(timeout: .seconds(5)) { handled.withLock { $0 } == ["slow"] })
            group.addTask { await InstanceHeartbeat(inbox: otherInbox, logger: DurableTests.logger).run() }
            group.addTask { await otherDispatcher.run() }
            try await Task.sleep(for: .seconds(4))
            group.cancelAll()
        }
        #expect(handled.withLock { $0 } == ["slow"], "four heartbeat windows passed; the live holder kept its step")
        for inbox in [slowInbox, otherInbox] { await inbox.client.close() }
    }

    @Test("two processes beating under one INSTANCE_ID are told so", .timeLimit(.minutes(1)))
    func aSharedInstanceIDIsReported() async throws {
        let (first, second) = try Self.twoInstances(("twin", "twin"), heartbeat: .milliseconds(100))
        let messages = Locked<[String]>([])
        var logger = Logger(label: "twins") { _ in RecordingLogHandler(messages: messages) }
        logger.logLevel = .error
        let heartbeats = [InstanceHeartbeat(inbox: first, logger: logger), InstanceHeartbeat(inbox: second, logger: logger)]
        for _ in 0..<3 {
            for heartbeat in heartbeats { try await heartbeat.beat() }
        }
        #expect(messages.withLock { $0 }.contains { $0.contains("another process beats under this INSTANCE_ID") })
        let (alone, _) = try Self.twoInstances(("alone", "other"), heartbeat: .milliseconds(100))
        let quiet = Locked<[String]>([])
        var quietLogger = Logger(label: "alone") { _ in RecordingLogHandler(messages: quiet) }
        quietLogger.logLevel = .error
        let heartbeat = InstanceHeartbeat(inbox: alone, logger: quietLogger)
        for _ in 0..<3 { try await heartbeat.beat() }
        #expect(quiet.withLock { $0 }.isEmpty, "a restart's first beat replaces the old run quietly")
        for inbox in [first, second, alone] { await inbox.client.close() }
    }

    @Test("replies claimed by an instance that falls silent are sent by another within 3 s, not after the 60 s claim", .timeLimit(.minutes(1)))
    func fastReplyTakeover() async throws {
        let telegram = FakeTelegram()
        try await telegram.start()
        let http = try HTTPClient()
        _ = telegram.privateUser(id: 960, firstName: "U")
        let (deadInbox, survivorInbox) = try Self.twoInstances(("dying", "surviving"), heartbeat: .milliseconds(500), lease: .seconds(15))

        // The dying instance commits a reply and claims it for its relay, then falls silent.
        try await InstanceHeartbeat(inbox: deadInbox, logger: DurableTests.logger).beat()
        let keys = deadInbox.keys.conversation("960", of: DurableTests.bot)
        try await deadInbox.requeueReply(
            try OutboxEnvelope.encode(.sendMessage(SendMessage(chatID: 960, text: "hello"))), conversation: "960", of: DurableTests.bot)
        let claimed = try await deadInbox.client.evaluate(
            DurableScripts.claimReplies, keys: [.string(keys.outboxLease), .string(keys.outbox), .string(keys.lease)],
            arguments: [.string(deadInbox.roster.me.token()), 60_000, 16])
        #expect(claimed.array?.first?.int == 2)

        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await InstanceHeartbeat(inbox: survivorInbox, logger: DurableTests.logger).run() }
            _ = try await OutboxRelayTests.relaying(survivorInbox, telegram: telegram, http: http) { relay in
                #expect(await DurableTests.eventually(timeout: .seconds(10)) { relay.counters.sent == 1 })
            }
            group.cancelAll()
        }
        let elapsed = ContinuousClock.now - start
        print("reply taken over after \(elapsed) (heartbeat 500 ms, claim 60 s)")
        #expect(elapsed < .seconds(3))
        #expect(telegram.calls("sendMessage").count == 1)
        for inbox in [deadInbox, survivorInbox] { await inbox.client.close() }
        await http.shutdown()
        await telegram.shutdown()
    }
}

/// Keeps what is logged, for tests that expect a message.
struct RecordingLogHandler: LogHandler {
    let messages: Locked<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        self.messages.withLock { $0.append(event.message.description) }
    }
}
