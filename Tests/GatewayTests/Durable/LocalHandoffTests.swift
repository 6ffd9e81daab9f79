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

    /// The budget of issue 19: a button press answered with a callback
    /// answer and an edit costs three Redis round trips — the append (which
    /// leases), the commit (which claims the replies and takes their sends
    /// from the shared Telegram budget) and the one settle after both sends.
    @Test(.timeLimit(.minutes(1)))
    func aButtonPressAnsweredWithTwoCallsCostsThreeRoundTrips() async throws {
        // Enough presses, and a long enough idle sample, that the background's
        // wake-ups (several a second) cannot tip the average when CI is slow.
        let presses = 20
        let telegram = FakeTelegram()
        try await telegram.start()
        let http = try HTTPClient()
        let user = telegram.privateUser(id: 51, firstName: "User 51")
        var configuration = Self.slowPolling()
        configuration.sweepInterval = .seconds(60)
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let observer = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: configuration, logger: DurableTests.logger)
        let budget = RedisSendBudget(
            client: redis, keyPrefix: configuration.keyPrefix, bot: DurableTests.bot, limits: OutboxRelayTests.senderLimits, logger: DurableTests.logger)
        let client = BotAPIClient(
            configuration: .init(token: telegram.configuration.token, baseURL: telegram.baseURL), httpClient: http, logger: DurableTests.logger)
        let sender = OutboundSender(client: client, configuration: .init(limits: OutboxRelayTests.senderLimits), budget: budget, logger: DurableTests.logger)
        let relay = OutboxRelay(inbox: inbox, bot: DurableTests.bot, sender: sender, logger: DurableTests.logger, budget: budget)
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            if let query = item.delivery.update.callbackQuery, let message = query.message {
                return StepOutcome(replies: [
                    .answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: query.id)),
                    .editMessageText(EditMessageText(.message(chatID: message.chat.id, messageID: message.messageID), text: "pressed \(query.id)", replyMarkup: try? InlineKeyboardMarkup(rows: [[.callback("Again", data: "again")]]))),
                ])
            }
            return StepOutcome(replies: [
                .sendMessage(SendMessage(chatID: 51, text: "menu", replyMarkup: .inlineKeyboard(try InlineKeyboardMarkup(rows: [[.callback("Again", data: "again")]]))))
            ])
        }
        let encoder = JSONEncoder()
        func accept(_ update: Update) async throws {
            try await inbox.accept(update, raw: Array(try encoder.encode(update)), bot: DurableTests.bot)
        }
        let outboxLease = inbox.keys.conversation("51", of: DurableTests.bot).outboxLease
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await sender.run() }
            group.addTask { await relay.run() }
            group.addTask { await dispatcher.run() }
            try await accept(user.sendCommand("start"))
            #expect(await DurableTests.eventually(timeout: .seconds(5)) { relay.counters.sent == 1 })
            try await Task.sleep(for: .milliseconds(300))
            // What runs meanwhile (the dispatcher's idle waits), measured idle.
            let idleStart = (redis.roundTrips, ContinuousClock.now)
            try await Task.sleep(for: .seconds(3))
            let idleRate = Double(redis.roundTrips - idleStart.0) / ((ContinuousClock.now - idleStart.1) / .seconds(1))
            let start = (redis.roundTrips, ContinuousClock.now)
            for press in 1...presses {
                try await accept(try user.press("Again"))
                #expect(await DurableTests.eventually(timeout: .seconds(5)) { relay.counters.sent == 1 + 2 * press })
                // Settled: the relay's claim ended with the batch (asked on a client of its own, not counted).
                while try await observer.send(["EXISTS", .string(outboxLease)]).int == 1 { try await Task.sleep(for: .milliseconds(1)) }
            }
            let elapsed = (ContinuousClock.now - start.1) / .seconds(1)
            let perPress = (Double(redis.roundTrips - start.0) - idleRate * elapsed) / Double(presses)
            print("local handoff: \(perPress) round trips per press (idle: \(idleRate) a second)")
            #expect(perPress <= 3.3, "\(perPress) round trips per press (idle: \(idleRate) a second)")
            group.cancelAll()
        }
        #expect(telegram.calls("answerCallbackQuery").count == presses)
        #expect(try await observer.send(["EXISTS", .string("{\(configuration.keyPrefix):\(DurableTests.bot.name)}:tg")]).int == 1, "the sends drew on the shared budget")
        await observer.close()
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
        let neverRead = HandoffQueue<InboxDispatcher.Start>()
        inboxes[0].local.openSteps(capacity: 4, into: neverRead)
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
        await withTaskGroup(of: Void.self) { group in
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
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.handledCount == 1 })
            group.cancelAll()
        }
        let keys = inboxes[0].keys.conversation("41", of: DurableTests.bot)
        #expect(try await clients[0].send(["EXISTS", .string(keys.outboxLease)]).int == 1, "claimed at commit")
        #expect(telegram.calls("sendMessage").isEmpty)

        let sender = OutboxRelayTests.sender(telegram: telegram, http: http)
        let relay = OutboxRelay(inbox: inboxes[1], bot: DurableTests.bot, sender: sender, logger: DurableTests.logger)
        await withTaskGroup(of: Void.self) { group in
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
