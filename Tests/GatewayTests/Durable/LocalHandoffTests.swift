import CurlHTTP
import Foundation
@testable import Gateway
import Logging
import RedisClient
import TelegramBotAPI
import TelegramEmulator
import Testing

/// The in-process shortcuts of the durable pipeline: an update leased while
/// it is appended goes straight to this instance's dispatcher, replies
/// claimed while they are committed straight to its relay. Both must be fast
/// when the instance lives and lose nothing when it dies.
@Suite("Durable pipeline: in-process handoff")
struct LocalHandoffTests {
    /// Polls so slow that only the handoff can explain a quick answer.
    static func slowPolling() -> DurablePipelineConfiguration {
        var configuration = DurableTests.pipeline(leaseTimeout: .milliseconds(500), concurrency: 2)
        configuration.pollTimeout = .seconds(1)
        configuration.outboxPollInterval = .seconds(60)
        return configuration
    }

    @Test(.timeLimit(.minutes(1)))
    func repliesOfUpdatesAcceptedHereGoOutWithoutWaitingForAPoll() async throws {
        let telegram = FakeTelegram()
        try await telegram.start()
        let http = try HTTPClient()
        _ = telegram.privateUser(id: 31, firstName: "User 31")
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: Self.slowPolling(), logger: DurableTests.logger)
        let sender = OutboxRelayTests.sender(telegram: telegram, http: http)
        let relay = OutboxRelay(inbox: inbox, bot: DurableTests.bot, sender: sender, logger: DurableTests.logger)
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            guard case .message(let message) = item.delivery.update.kind, let text = message.text else { return .unchanged }
            return StepOutcome(replies: [
                .sendMessage(SendMessage(chatID: message.chat.id, text: "first \(text)")),
                .sendMessage(SendMessage(chatID: message.chat.id, text: "second \(text)")),
            ])
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await sender.run() }
            group.addTask { await relay.run() }
            group.addTask { await dispatcher.run() }
            try await Task.sleep(for: .milliseconds(200))
            let start = ContinuousClock.now
            for sequence in 1...3 {
                let (update, raw) = try DurableTests.update(id: sequence, chat: 31, sequence: sequence)
                try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
                #expect(await DurableTests.eventually(timeout: .seconds(5)) { relay.counters.sent == sequence * 2 })
            }
            #expect(ContinuousClock.now - start < .seconds(5), "three steps, each answered without the 60 s poll")
            group.cancelAll()
        }
        let texts = telegram.calls("sendMessage").map { $0["text"] }
        #expect(texts == (1...3).flatMap { [JSONValue.string("first \($0)"), .string("second \($0)")] })
        let keys = inbox.keys.conversation("31", of: DurableTests.bot)
        #expect(try await redis.send(["LLEN", .string(keys.outbox)]).int == 0)
        #expect(try await redis.send(["EXISTS", .string(keys.outboxLease)]).int == 0)
        await redis.close()
        await http.shutdown()
        await telegram.shutdown()
    }

    /// The webhook leased the update for a dispatcher of its own process,
    /// which died before running it: another instance handles it once the
    /// lease expires.
    @Test(.timeLimit(.minutes(1)))
    func anUpdateLeasedForADispatcherThatDiedIsHandledElsewhere() async throws {
        let configuration = Self.slowPolling()
        let redisConfiguration = try DurableTests.sharedRedis()
        let clients = (0..<2).map { _ in RedisClient(configuration: redisConfiguration, logger: DurableTests.logger) }
        let inboxes = clients.map { RedisInbox(client: $0, configuration: configuration, logger: DurableTests.logger) }

        // The first instance's dispatcher takes handed-over updates and never runs them.
        let neverRead = inboxes[0].local.openSteps(capacity: 4)
        let (update, raw) = try DurableTests.update(id: 1, chat: 700, sequence: 1)
        try await inboxes[0].accept(update, raw: raw, bot: DurableTests.bot)
        let keys = inboxes[0].keys.conversation("700", of: DurableTests.bot)
        let holder = try await clients[0].send(["GET", .string(keys.lease)]).string
        #expect(holder != nil && holder != "ready", "leased at append, not queued in the ready list")

        let recorder = StepRecorder()
        let survivor = InboxDispatcher(inbox: inboxes[1], bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            recorder.record(item)
            return .unchanged
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await survivor.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.handledCount == 1 })
            group.cancelAll()
        }
        #expect(recorder.sequences[700] == [1])
        withExtendedLifetime(neverRead) {}
        for client in clients { await client.close() }
    }

    /// The commit claimed the replies for a relay of its own process, which
    /// died before sending them: another instance sends them once the claim
    /// expires.
    @Test(.timeLimit(.minutes(1)))
    func repliesClaimedForARelayThatDiedAreSentElsewhere() async throws {
        let telegram = FakeTelegram()
        try await telegram.start()
        let http = try HTTPClient()
        _ = telegram.privateUser(id: 41, firstName: "User 41")
        var configuration = Self.slowPolling()
        configuration.outboxPollInterval = .milliseconds(50)
        let redisConfiguration = try DurableTests.sharedRedis()
        let clients = (0..<2).map { _ in RedisClient(configuration: redisConfiguration, logger: DurableTests.logger) }
        let inboxes = clients.map { RedisInbox(client: $0, configuration: configuration, logger: DurableTests.logger) }

        // The first instance commits with a relay registered that never reads what it is handed.
        let neverRead = inboxes[0].local.openReplies(for: DurableTests.bot)
        let recorder = StepRecorder()
        let dispatcher = InboxDispatcher(inbox: inboxes[0], bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            recorder.record(item)
            return StepOutcome(replies: [.sendMessage(SendMessage(chatID: 41, text: "kept"))])
        }
        let (update, raw) = try DurableTests.update(id: 1, chat: 41, sequence: 1)
        try await inboxes[0].accept(update, raw: raw, bot: DurableTests.bot)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.handledCount == 1 })
            group.cancelAll()
        }
        let keys = inboxes[0].keys.conversation("41", of: DurableTests.bot)
        #expect(try await clients[0].send(["EXISTS", .string(keys.outboxLease)]).int == 1, "claimed at commit")
        #expect(telegram.calls("sendMessage").isEmpty)

        let sender = OutboxRelayTests.sender(telegram: telegram, http: http)
        let relay = OutboxRelay(inbox: inboxes[1], bot: DurableTests.bot, sender: sender, logger: DurableTests.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await sender.run() }
            group.addTask { await relay.run() }
            // The claim lasts four leases (2 s), then the outbox set makes it due.
            #expect(await DurableTests.eventually(timeout: .seconds(15)) { relay.counters.sent == 1 })
            group.cancelAll()
        }
        #expect(telegram.calls("sendMessage").map { $0["text"] } == [.string("kept")])
        #expect(try await clients[1].send(["LLEN", .string(keys.outbox)]).int == 0)
        withExtendedLifetime(neverRead) {}
        for client in clients { await client.close() }
        await http.shutdown()
        await telegram.shutdown()
    }
}
