import Gateway
import GatewayTestSupport
import RedisClient
import TelegramBotAPI
import Synchronization
import Testing

/// The durable inbox and its dispatchers against a real Redis.
@Suite("Durable inbox")
struct InboxDispatcherTests {
    @Test("a step past STEP_TIMEOUT is cancelled and its update given back: the next try handles it", .timeLimit(.minutes(1)))
    func aStepPastTheTimeoutIsCancelledAndTriedAgain() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        var configuration = DurableTests.pipeline()
        configuration.stepTimeout = .milliseconds(300)
        let inbox = RedisInbox(client: redis, configuration: configuration, logger: DurableTests.logger)
        let recorder = StepRecorder()
        let tries = Atomic(0)
        let (update, raw) = try DurableTests.update(id: 8, chat: 101, sequence: 1)
        try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            if tries.add(1, ordering: .relaxed).newValue == 1 {
                // Hangs until cancelled: only the deadline ends it.
                try await Task.sleep(for: .seconds(60))
            }
            recorder.record(item)
            return .unchanged
        }
        let started = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.handledCount == 1 })
            group.cancelAll()
        }
        #expect(ContinuousClock.now - started < .seconds(10), "cut off at the deadline, not after the minute")
        #expect(tries.load(ordering: .relaxed) == 2)
        #expect(recorder.counts == [8: 1])
        await redis.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func aRedeliveredUpdateIsHandledOnce() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(), logger: DurableTests.logger)
        let recorder = StepRecorder()
        let (update, raw) = try DurableTests.update(id: 7, chat: 100, sequence: 1)
        for _ in 0..<3 {
            try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
        }
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            recorder.record(item)
            return .unchanged
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.handledCount == 1 })
            // A redelivery after handling is absorbed too.
            try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
            try await Task.sleep(for: .milliseconds(300))
            group.cancelAll()
        }
        #expect(recorder.counts == [7: 1])
        await redis.close()
    }

    @Test(.timeLimit(.minutes(3)))
    func tenThousandUpdatesOverFiveHundredConversationsKeepOrderAcrossTwoDispatchers() async throws {
        let configuration = DurableTests.pipeline(concurrency: 8)
        let redisConfiguration = try DurableTests.sharedRedis()
        let clients = (0..<3).map { _ in RedisClient(configuration: redisConfiguration, logger: DurableTests.logger) }
        let inboxes = clients.map { RedisInbox(client: $0, configuration: configuration, logger: DurableTests.logger) }
        let recorder = StepRecorder()
        let conversations = 500
        let perConversation = 20
        let dispatchers = inboxes.dropFirst().map { inbox in
            InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
                try await Task.sleep(for: .microseconds(Int.random(in: 0...3000)))
                recorder.record(item)
                return .unchanged
            }
        }
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for dispatcher in dispatchers {
                group.addTask { await dispatcher.run() }
            }
            try await withThrowingTaskGroup(of: Void.self) { producers in
                for conversation in 0..<conversations {
                    producers.addTask {
                        for sequence in 1...perConversation {
                            let (update, raw) = try DurableTests.update(
                                id: conversation * perConversation + sequence,
                                chat: Int64(1000 + conversation),
                                sequence: sequence
                            )
                            // Retried as Telegram would after a 503: other suites on the shared
                            // server run SCRIPT FLUSH, which can fail one EVALSHA in a thousand.
                            while (try? await inboxes[0].accept(update, raw: raw, bot: DurableTests.bot)) == nil {
                                try await Task.sleep(for: .milliseconds(10))
                            }
                        }
                    }
                }
                try await producers.waitForAll()
            }
            let handled = await DurableTests.eventually(timeout: .seconds(150)) { recorder.handledCount == conversations * perConversation }
            #expect(handled)
            group.cancelAll()
        }
        let elapsed = ContinuousClock.now - start
        print("10,000 updates, 500 conversations, 2 dispatchers × 8 workers: \(elapsed)")
        #expect(recorder.counts.values.allSatisfy { $0 == 1 })
        let sequences = recorder.sequences
        #expect(sequences.count == conversations)
        #expect(sequences.values.allSatisfy { $0 == Array(1...perConversation) })
        for client in clients { await client.close() }
    }

    @Test(.timeLimit(.minutes(1)))
    func aDispatcherKilledMidStepIsTakenOverAfterItsLeaseExpires() async throws {
        let configuration = DurableTests.pipeline(leaseTimeout: .milliseconds(500), concurrency: 2)
        let redisConfiguration = try DurableTests.sharedRedis()
        let clients = (0..<2).map { _ in RedisClient(configuration: redisConfiguration, logger: DurableTests.logger) }
        let inboxes = clients.map { RedisInbox(client: $0, configuration: configuration, logger: DurableTests.logger) }
        let attempts = Locked<[String: Int]>([:])
        let effects = Locked<[String: Int]>([:])
        let recorder = StepRecorder()
        let leased = AsyncStream<Void>.makeStream()

        // The first dispatcher hangs in its first step until cancelled.
        let victim = InboxDispatcher(inbox: inboxes[0], bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            attempts.withLock { $0[item.idempotencyKey(), default: 0] += 1 }
            leased.continuation.yield()
            try await Task.sleep(for: .seconds(3600))
            return .unchanged
        }
        let survivor = InboxDispatcher(inbox: inboxes[1], bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            attempts.withLock { $0[item.idempotencyKey(), default: 0] += 1 }
            // A downstream that honours Idempotency-Key applies each key once.
            effects.withLock { $0[item.idempotencyKey(), default: 0] = 1 }
            recorder.record(item)
            return .unchanged
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            let victimTask = Task { await victim.run() }
            let (first, firstRaw) = try DurableTests.update(id: 1, chat: 500, sequence: 1)
            try await inboxes[0].accept(first, raw: firstRaw, bot: DurableTests.bot)
            var iterator = leased.stream.makeAsyncIterator()
            _ = await iterator.next()
            let (second, secondRaw) = try DurableTests.update(id: 2, chat: 500, sequence: 2)
            try await inboxes[0].accept(second, raw: secondRaw, bot: DurableTests.bot)
            victimTask.cancel()
            await victimTask.value

            group.addTask { await survivor.run() }
            let start = ContinuousClock.now
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.handledCount == 2 })
            print("taken over after \(ContinuousClock.now - start) (lease 500 ms)")
            group.cancelAll()
        }
        let key = "\(DurableTests.bot.name)-1-0"
        // At least the hung attempt and the one that completed; on a loaded machine the victim's
        // own 500 ms lease may lapse before the cancel and be retaken — only the effect must be single.
        #expect((attempts.withLock { $0[key] } ?? 0) >= 2)
        #expect(effects.withLock { $0 } == [key: 1, "\(DurableTests.bot.name)-2-0": 1])
        // In order; a repeat of 1 (its lease lapsed on a saturated machine) carries the same key.
        #expect(recorder.sequences[500].map { Array(Set($0)).sorted() } == [1, 2])
        #expect(recorder.sequences[500]?.last == 2)
        for client in clients { await client.close() }
    }

    @Test(.timeLimit(.minutes(1)))
    func aStepCutOffByCancellationReleasesItsLeaseAtOnce() async throws {
        // A 60 s lease: only the release can explain a takeover within seconds.
        let configuration = DurableTests.pipeline(leaseTimeout: .seconds(60), concurrency: 1)
        let redisConfiguration = try DurableTests.sharedRedis()
        let clients = (0..<2).map { _ in RedisClient(configuration: redisConfiguration, logger: DurableTests.logger) }
        let inboxes = clients.map { RedisInbox(client: $0, configuration: configuration, logger: DurableTests.logger) }
        let recorder = StepRecorder()
        let leased = AsyncStream<Void>.makeStream()
        let victim = InboxDispatcher(inbox: inboxes[0], bots: [DurableTests.bot], logger: DurableTests.logger) { _ in
            leased.continuation.yield()
            try await Task.sleep(for: .seconds(3600))
            return .unchanged
        }
        let survivor = InboxDispatcher(inbox: inboxes[1], bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            recorder.record(item)
            return .unchanged
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            let victimTask = Task { await victim.run() }
            let (update, raw) = try DurableTests.update(id: 1, chat: 600, sequence: 1)
            try await inboxes[0].accept(update, raw: raw, bot: DurableTests.bot)
            var iterator = leased.stream.makeAsyncIterator()
            _ = await iterator.next()
            victimTask.cancel()
            await victimTask.value
            group.addTask { await survivor.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.handledCount == 1 })
            group.cancelAll()
        }
        #expect(recorder.sequences[600] == [1])
        for client in clients { await client.close() }
    }

    @Test(.timeLimit(.minutes(2)))
    func noAcknowledgedUpdateIsLostWhenRedisRestartsUnderLoad() async throws {
        let server = try PrivateRedisServer()
        let configuration = DurableTests.pipeline(leaseTimeout: .seconds(1), concurrency: 4)
        let producerClient = RedisClient(configuration: server.configuration, logger: DurableTests.logger)
        let dispatcherClient = RedisClient(configuration: server.configuration, logger: DurableTests.logger)
        let producer = RedisInbox(client: producerClient, configuration: configuration, logger: DurableTests.logger)
        let recorder = StepRecorder()
        let dispatcher = InboxDispatcher(
            inbox: RedisInbox(client: dispatcherClient, configuration: configuration, logger: DurableTests.logger),
            bots: [DurableTests.bot],
            logger: DurableTests.logger
        ) { item in
            recorder.record(item)
            return .unchanged
        }
        let total = 2000
        let acknowledged = Locked<Set<Int>>([])
        let refusals = Locked(0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(400))
                server.stop()
                try await Task.sleep(for: .milliseconds(300))
                try server.start()
            }
            try await withThrowingTaskGroup(of: Void.self) { producers in
                for conversation in 0..<50 {
                    producers.addTask {
                        for sequence in 1...(total / 50) {
                            let id = conversation * 1000 + sequence
                            let (update, raw) = try DurableTests.update(id: id, chat: Int64(2000 + conversation), sequence: sequence)
                            // As Telegram does after a 503: send the same update again until it is taken.
                            while true {
                                do {
                                    try await producer.accept(update, raw: raw, bot: DurableTests.bot)
                                    break
                                } catch {
                                    refusals.withLock { $0 += 1 }
                                    try await Task.sleep(for: .milliseconds(20))
                                }
                            }
                            acknowledged.withLock { _ = $0.insert(id) }
                            try await Task.sleep(for: .milliseconds(1))
                        }
                    }
                }
                try await producers.waitForAll()
            }
            let ids = acknowledged.withLock { $0 }
            let done = await DurableTests.eventually(timeout: .seconds(60)) { Set(recorder.counts.keys).isSuperset(of: ids) }
            #expect(done)
            group.cancelAll()
        }
        let counts = recorder.counts
        let duplicates = counts.values.filter { $0 > 1 }.count
        print("Redis restart under load: \(total) acknowledged, \(refusals.withLock { $0 }) refused and retried, \(duplicates) handled twice")
        #expect(acknowledged.withLock { $0.count } == total)
        await producerClient.close()
        await dispatcherClient.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func aFloodInOneConversationBeyondTheCapDoesNotBlockOthers() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(cap: 5, concurrency: 2), logger: DurableTests.logger)
        let recorder = StepRecorder()
        let flooded: Int64 = 900
        var refused = 0
        for sequence in 1...50 {
            let (update, raw) = try DurableTests.update(id: sequence, chat: flooded, sequence: sequence)
            do {
                try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
            } catch let error as UpdateSinkError {
                #expect(error.code == .full)
                refused += 1
            }
        }
        #expect(refused == 45)
        for sequence in 1...5 {
            let (update, raw) = try DurableTests.update(id: 100 + sequence, chat: 901, sequence: sequence)
            try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
        }
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            if item.delivery.update.conversationKey?.chatID == flooded {
                try await Task.sleep(for: .milliseconds(200))
            }
            recorder.record(item)
            return .unchanged
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(5)) { recorder.sequences[901]?.count == 5 })
            // The other conversation finished while the flooded one is still being worked through.
            #expect((recorder.sequences[flooded]?.count ?? 0) < 5)
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.sequences[flooded]?.count == 5 })
            group.cancelAll()
        }
        #expect(recorder.sequences[901] == [1, 2, 3, 4, 5])
        #expect(recorder.sequences[flooded] == [1, 2, 3, 4, 5])
        await redis.close()
    }
}
