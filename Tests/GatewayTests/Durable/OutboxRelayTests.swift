import CurlHTTP
import Foundation
import Gateway
import Logging
import RedisClient
import TelegramBotAPI
import TelegramEmulator
import Testing

/// Replies committed with a step reach the emulated Bot API through the
/// outbox relay, in order per chat, also after a restart; refusals are dropped.
@Suite("Durable outbox")
struct OutboxRelayTests {
    static let senderLimits = OutboundLimiter<OutboundCall>.Configuration(
        botLimit: OutboundRateLimit(count: 1000, per: .seconds(1), burst: 100),
        privateChatLimit: OutboundRateLimit(count: 100, per: .seconds(1), burst: 50),
        groupChatLimit: OutboundRateLimit(count: 100, per: .seconds(1), burst: 50)
    )

    @Test(.timeLimit(.minutes(1)))
    func committedRepliesAreSentInOrderAfterARestartAndA403DropsThem() async throws {
        let telegram = FakeTelegram()
        try await telegram.start()
        let http = try HTTPClient()
        let chats: [Int64] = [11, 12]
        let blocked: Int64 = 13
        for chat in chats + [blocked] {
            _ = telegram.privateUser(id: chat, firstName: "User \(chat)")
        }
        _ = telegram.privateUser(id: blocked, firstName: "User \(blocked)").blockBot()
        let configuration = DurableTests.pipeline()
        let redisConfiguration = try DurableTests.sharedRedis()

        // The first process decides the replies and stops before sending any.
        let firstRedis = RedisClient(configuration: redisConfiguration, logger: DurableTests.logger)
        let firstInbox = RedisInbox(client: firstRedis, configuration: configuration, logger: DurableTests.logger)
        let recorder = StepRecorder()
        let dispatcher = InboxDispatcher(inbox: firstInbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            recorder.record(item)
            guard case .message(let message) = item.delivery.update.kind, let text = message.text else { return .unchanged }
            return StepOutcome(state: .set(Array(text.utf8)), replies: [.sendMessage(SendMessage(chatID: message.chat.id, text: "reply \(text)"))])
        }
        var id = 0
        for chat in chats + [blocked] {
            for sequence in 1...5 {
                id += 1
                let (update, raw) = try DurableTests.update(id: id, chat: chat, sequence: sequence)
                try await firstInbox.accept(update, raw: raw, bot: DurableTests.bot)
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { recorder.handledCount == 15 })
            group.cancelAll()
        }
        let state = try await firstRedis.send(["GET", .string(firstInbox.keys.conversation("11", of: DurableTests.bot).state)])
        #expect(state.string == "5")
        #expect(telegram.calls("sendMessage").isEmpty)
        await firstRedis.close()

        // A new process with new objects sends what was left.
        let secondRedis = RedisClient(configuration: redisConfiguration, logger: DurableTests.logger)
        let secondInbox = RedisInbox(client: secondRedis, configuration: configuration, logger: DurableTests.logger)
        try await Self.relaying(secondInbox, telegram: telegram, http: http) { relay in
            #expect(await DurableTests.eventually(timeout: .seconds(20)) { relay.counters.sent == 10 && relay.counters.dropped == 5 })
            // A reply is counted when Telegram answers, settled just after: wait for the settles.
            for chat in chats + [blocked] {
                let outbox = secondInbox.keys.conversation(String(chat), of: DurableTests.bot).outbox
                for _ in 0..<100 where try await secondRedis.send(["LLEN", .string(outbox)]).int != 0 {
                    try await Task.sleep(for: .milliseconds(20))
                }
            }
        }

        let calls = telegram.calls("sendMessage")
        for chat in chats {
            let texts = calls.filter { Self.chatID(of: $0) == chat && $0.status == 200 }.map { $0["text"] }
            #expect(texts == (1...5).map { JSONValue.string("reply \($0)") })
        }
        let refused = calls.filter { Self.chatID(of: $0) == blocked }
        #expect(refused.count == 5)
        #expect(refused.allSatisfy { $0.status == 403 })
        // Refused for good: each kept as a dead letter with Telegram's error.
        let letters = try await RedisDeadLetterStore(client: secondRedis, keyPrefix: configuration.keyPrefix).recent(of: DurableTests.bot)
        #expect(letters.count == 5)
        #expect(letters.allSatisfy { $0.reason == .replyRefused && $0.conversation == "\(blocked)" && $0.error.contains("403") })
        #expect(letters.map(\.update).allSatisfy { $0.contains(#""method":"sendMessage""#) })
        for chat in chats + [blocked] {
            let outbox = secondInbox.keys.conversation(String(chat), of: DurableTests.bot).outbox
            #expect(try await secondRedis.send(["LLEN", .string(outbox)]).int == 0)
        }
        // Telegram's message ids recorded as each reply settled, newest first.
        for chat in chats {
            let sent = try await secondRedis.send(["LRANGE", .string(secondInbox.keys.conversation(String(chat), of: DurableTests.bot).sent), 0, -1])
            let ids = (sent.array ?? []).compactMap(\.string)
            let made = telegram.botEvents(inChat: chat).map { "sendMessage:\($0.message.messageID)" }
            #expect(ids == made.reversed(), "\(ids) vs \(made)")
        }
        await secondRedis.close()
        await http.shutdown()
        await telegram.shutdown()
    }

    /// A commit registers its conversation in the bot's outbox set before it
    /// appends the replies; a relay that looks in between finds the outbox
    /// empty and must not forget the conversation, or the replies are stranded.
    @Test(.timeLimit(.minutes(1)))
    func aConversationRegisteredJustBeforeItsCommitIsNotForgotten() async throws {
        let telegram = FakeTelegram()
        try await telegram.start()
        let http = try HTTPClient()
        _ = telegram.privateUser(id: 21, firstName: "User 21")
        let configuration = DurableTests.pipeline()
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: configuration, logger: DurableTests.logger)
        let keys = inbox.keys.conversation("21", of: DurableTests.bot)
        let outbox = inbox.keys.bot(DurableTests.bot).outbox

        // A dispatcher holds the conversation and has registered it, but not yet committed.
        try await redis.send(["SET", .string(keys.lease), "dispatcher-token", "PX", 60000])
        try await redis.send(["ZADD", .string(outbox), .integer(Int(Date().timeIntervalSince1970 * 1000)), "21"])

        try await Self.relaying(inbox, telegram: telegram, http: http) { relay in
            // The relay polls every 20 ms: let it look at the empty outbox several times.
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await redis.send(["ZSCORE", .string(outbox), "21"]).isNull == false, "still registered")

            // The commit lands: the reply appended, the conversation released.
            let reply = try OutboxEnvelope.encode(.sendMessage(SendMessage(chatID: 21, text: "committed")))
            try await redis.send(["RPUSH", .string(keys.outbox), .bytes(reply)])
            try await redis.send(["DEL", .string(keys.lease)])
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { relay.counters.sent == 1 })
        }
        #expect(telegram.calls("sendMessage").map { $0["text"] } == [.string("committed")])
        await redis.close()
        await http.shutdown()
        await telegram.shutdown()
    }

    @Test("a callback answer still queued past Telegram's window is dropped, not sent or retried; the replies after it go out", .timeLimit(.minutes(1)))
    func aStaleCallbackAnswerIsDropped() async throws {
        let telegram = FakeTelegram()
        try await telegram.start()
        let http = try HTTPClient()
        _ = telegram.privateUser(id: 22, firstName: "User 22")
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(), logger: DurableTests.logger)
        let keys = inbox.keys.conversation("22", of: DurableTests.bot)
        let stale = try OutboxEnvelope.encode(
            .answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: "old", text: "late")), at: Date().addingTimeInterval(-20))
        let message = try OutboxEnvelope.encode(.sendMessage(SendMessage(chatID: 22, text: "after")))
        for reply in [stale, message] {
            try await redis.send(["RPUSH", .string(keys.outbox), .bytes(reply)])
        }
        try await redis.send(["ZADD", .string(inbox.keys.bot(DurableTests.bot).outbox), .integer(Int(Date().timeIntervalSince1970 * 1000)), "22"])

        let relay = try await Self.relaying(inbox, telegram: telegram, http: http) { relay in
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { relay.counters.sent == 1 })
        }
        #expect(relay.counters.dropped == 1)
        #expect(telegram.calls("answerCallbackQuery").isEmpty, "never sent, so never retried either")
        #expect(telegram.calls("sendMessage").map { $0["text"] } == [.string("after")])
        await redis.close()
        await http.shutdown()
        await telegram.shutdown()
    }

    @Test("replies to a group that became a supergroup follow migrate_to_chat_id to the new chat", .timeLimit(.minutes(1)))
    func repliesFollowAGroupUpgrade() async throws {
        let telegram = FakeTelegram()
        try await telegram.start()
        let http = try HTTPClient()
        let group = telegram.group(id: -4242, title: "House 7", isSupergroup: false)
        let supergroup = group.upgrade(to: -1_004_242)
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(), logger: DurableTests.logger)
        let keys = inbox.keys.conversation("-4242", of: DurableTests.bot)
        for text in ["first", "second"] {
            let reply = try OutboxEnvelope.encode(.sendMessage(SendMessage(chatID: -4242, text: text)))
            try await redis.send(["RPUSH", .string(keys.outbox), .bytes(reply)])
        }
        try await redis.send(["ZADD", .string(inbox.keys.bot(DurableTests.bot).outbox), .integer(Int(Date().timeIntervalSince1970 * 1000)), "-4242"])

        let relay = try await Self.relaying(inbox, telegram: telegram, http: http) { relay in
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { relay.counters.sent == 2 })
        }
        #expect(relay.counters.dropped == 0)
        #expect(telegram.botEvents(inChat: supergroup.chat.id).map(\.message.text) == ["first", "second"])
        #expect(telegram.botEvents(inChat: -4242).isEmpty)
        await redis.close()
        await http.shutdown()
        await telegram.shutdown()
    }

    @Test("429s in a busy group with retry_after longer than the claim: every reply delivered exactly once", .timeLimit(.minutes(1)))
    func aLongRateLimitDoesNotOutliveTheClaim() async throws {
        // Telegram's group limit, with a burst of 2: from the third reply on, the
        // group waits 3 s per message, longer than the relay's 2 s claim.
        let limits = FakeTelegram.Limits(isEnabled: true, perGroupPerMinute: 20, groupBurst: 2)
        let telegram = FakeTelegram(configuration: .init(limits: limits))
        try await telegram.start()
        let http = try HTTPClient()
        let group = telegram.group(id: -7070, title: "Busy")
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(leaseTimeout: .milliseconds(500)), logger: DurableTests.logger)
        let keys = inbox.keys.conversation("-7070", of: DurableTests.bot)
        let texts = (1...5).map { "reply \($0)" }
        for text in texts {
            try await redis.send(["RPUSH", .string(keys.outbox), .bytes(try OutboxEnvelope.encode(.sendMessage(SendMessage(chatID: -7070, text: text))))])
        }
        try await redis.send(["ZADD", .string(inbox.keys.bot(DurableTests.bot).outbox), .integer(Int(Date().timeIntervalSince1970 * 1000)), "-7070"])

        try await Self.relaying(inbox, telegram: telegram, http: http) { relay in
            #expect(await DurableTests.eventually(timeout: .seconds(40)) { telegram.botEvents(inChat: group.chat.id).count >= texts.count })
            // Time for a repeat to show up, were one coming.
            try await Task.sleep(for: .seconds(4))
        }
        #expect(telegram.botEvents(inChat: group.chat.id).map(\.message.text) == texts, "each once, in order")
        #expect(telegram.calls("sendMessage").contains { $0.status == 429 }, "the group limit was hit")
        #expect(try await redis.send(["LLEN", .string(keys.outbox)]).int == 0)
        await redis.close()
        await http.shutdown()
        await telegram.shutdown()
    }

    @Test
    func everyOutboundCallSurvivesTheEnvelope() throws {
        let calls: [OutboundCall] = [
            .sendMessage(SendMessage(chatID: 1, text: "hi", parseMode: .html, replyMarkup: .inlineKeyboard(InlineKeyboardMarkup(rows: [])))),
            .sendPhoto(SendPhoto(chatID: 1, photo: .url("https://example.com/a.jpg"), caption: "c")),
            .sendPhoto(SendPhoto(chatID: 1, photo: .fileID("AgAD"))),
            .editMessageText(EditMessageText(.message(chatID: 1, messageID: 2), text: "edited")),
            .editMessageReplyMarkup(EditMessageReplyMarkup(.inlineMessage(id: "x"), replyMarkup: nil)),
            .deleteMessage(DeleteMessage(chatID: 1, messageID: 2)),
            .answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: "q", text: "ok")),
        ]
        for call in calls {
            #expect(try OutboxEnvelope.decode(OutboxEnvelope.encode(call)) == call)
        }
        // Only a callback answer keeps its commit time, and it expires after Telegram's window.
        let answer = OutboundCall.answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: "q"))
        let committed = Date()
        let stored = try OutboxEnvelope.decodeStored(OutboxEnvelope.encode(answer, at: committed))
        #expect(stored.committedAt != nil)
        #expect(!stored.isExpiredCallbackAnswer(now: committed.addingTimeInterval(14)))
        #expect(stored.isExpiredCallbackAnswer(now: committed.addingTimeInterval(16)))
        let message = try OutboxEnvelope.decodeStored(OutboxEnvelope.encode(.sendMessage(SendMessage(chatID: 1, text: "x")), at: committed))
        #expect(message.committedAt == nil)
        #expect(!message.isExpiredCallbackAnswer(now: committed.addingTimeInterval(3600)))
    }

    /// A reply is encoded once: the stored form is built around the very
    /// bytes the Bot API gets, which the sender posts as they are.
    @Test
    func theEnvelopeHoldsTheBotAPIBodyItself() throws {
        let calls: [OutboundCall] = [
            .sendMessage(SendMessage(chatID: 7, text: "\"quoted\" \\ Ünïcödé ✓ </script>", replyMarkup: .inlineKeyboard(try InlineKeyboardMarkup(rows: [[.callback("Да", data: "yes")]])))),
            .answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: "q-1", text: "ok")),
            .editMessageText(EditMessageText(.message(chatID: 7, messageID: 3), text: "edited")),
        ]
        for call in calls {
            let prepared = try OutboxEnvelope.prepare(call, at: Date())
            // The same JSON as the client's own encoding (key order aside: the encoder does not fix it).
            let canonical = { (bytes: [UInt8]) in try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: Data(bytes)), options: .sortedKeys) }
            #expect(try canonical(prepared.body) == canonical(call.jsonBody()))
            let parsed = try JSONSerialization.jsonObject(with: Data(prepared.bytes)) as? [String: Any]
            #expect(parsed?["method"] as? String == call.methodName)
            let parameters = try JSONSerialization.data(withJSONObject: try #require(parsed?["parameters"]), options: .sortedKeys)
            #expect(try parameters == canonical(prepared.body), "the stored parameters are the body")
            #expect(Array(prepared.bytes.suffix(prepared.body.count + 1)) == prepared.body + [UInt8(ascii: "}")], "the body's own bytes, not a second encoding")
            #expect(try OutboxEnvelope.decode(prepared.bytes) == call)
        }
        #expect(throws: DurablePipelineError.self) {
            try OutboxEnvelope.prepare(.sendPhoto(SendPhoto(chatID: 1, photo: .upload(FileUpload(filename: "a.jpg", data: [1])))), at: Date())
        }
    }

    /// A sender to the emulated Bot API, with limits high enough not to pace the tests.
    /// Runs a relay for the test bot on `inbox`, with its sender, around
    /// `body`, then stops both; returns the relay for its counters.
    @discardableResult
    static func relaying(
        _ inbox: RedisInbox, telegram: FakeTelegram, http: HTTPClient, _ body: (OutboxRelay) async throws -> Void
    ) async throws -> OutboxRelay {
        let sender = Self.sender(telegram: telegram, http: http)
        let relay = OutboxRelay(inbox: inbox, bot: DurableTests.bot, sender: sender, logger: DurableTests.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await sender.run() }
            group.addTask { await relay.run() }
            try await body(relay)
            group.cancelAll()
        }
        return relay
    }

    static func sender(telegram: FakeTelegram, http: HTTPClient) -> OutboundSender {
        let client = BotAPIClient(
            configuration: .init(token: telegram.configuration.token, baseURL: telegram.baseURL, requestTimeout: .seconds(10)),
            httpClient: http,
            logger: DurableTests.logger
        )
        return OutboundSender(client: client, configuration: .init(limits: Self.senderLimits), logger: DurableTests.logger)
    }

    private static func chatID(of call: RecordedCall) -> Int64? {
        switch call["chat_id"] {
        case .int(let value): value
        case .string(let text): Int64(text)
        default: nil
        }
    }
}
