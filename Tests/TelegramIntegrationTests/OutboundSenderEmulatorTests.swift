import CurlHTTP
import Logging
import ServiceLifecycle
import TelegramBotAPI
import TelegramEmulator
import Testing

/// The outbound sender end to end: a burst through the real client, over HTTP, into the emulator
/// enforcing Telegram's limits (scaled up so that the test takes seconds, not minutes).
@Suite("Outbound sender against the emulator's limits")
struct OutboundSenderEmulatorTests {
    /// Telegram's limits, scaled about 13× for the bot and 20–30× per chat, with bursts.
    static let emulatorLimits = FakeTelegram.Limits(
        isEnabled: true,
        perBotPerSecond: 400,
        perPrivateChatPerSecond: 20,
        privateChatBurst: 8,
        perGroupPerMinute: 600,
        groupBurst: 5
    )

    /// The sender's idea of the same limits, with larger per-chat bursts than the emulator
    /// allows, so that the emulator really answers 429s and the sender has to honour them. The
    /// bot-wide burst (still far below the emulator's) lets the sender catch up after its loop
    /// wakes late on a busy machine; evenly spaced sends at 400/s would lose every late wakeup.
    static let senderLimits = OutboundLimiter<OutboundCall>.Configuration(
        botLimit: OutboundRateLimit(count: 400, per: .seconds(1), burst: 20),
        privateChatLimit: OutboundRateLimit(count: 20, per: .seconds(1), burst: 12),
        groupChatLimit: OutboundRateLimit(count: 10, per: .seconds(1), burst: 8)
    )

    @Test(.timeLimit(.minutes(1)))
    func aBurstOf2000MessagesTo100ChatsHonoursEvery429AndLosesNothing() async throws {
        let privateChats: [Int64] = (1...70).map { 10_000 + $0 }
        let groups: [Int64] = (1...30).map { -1_000_000 - $0 }
        let chats = privateChats + groups
        let messagesPerChat = 20

        try await withEmulator(
            FakeTelegram.Configuration(limits: Self.emulatorLimits),
            http: HTTPClient.Configuration(maxConnectionsPerHost: 16)
        ) { harness in
            for id in privateChats {
                _ = harness.telegram.privateUser(id: id, firstName: "User \(id)")
            }
            for id in groups {
                _ = harness.telegram.group(id: id, title: "Group \(id)")
            }
            let logger = Logger(label: "outbound-sender")
            let sender = OutboundSender(
                client: harness.client,
                configuration: OutboundSender.Configuration(limits: Self.senderLimits, maximumConcurrentSends: 16),
                logger: logger
            )
            let services = ServiceGroup(configuration: .init(services: [sender], logger: logger))

            let start = ContinuousClock.now
            let outcomes = try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await services.run() }
                // Every chat submits its whole sequence at once, all chats concurrently.
                let outcomes = await withTaskGroup(of: (Int64, [Int: OutboundSender.Outcome]).self) { submitters in
                    for chatID in chats {
                        submitters.addTask {
                            (chatID, await Self.submit(messagesPerChat, to: chatID, through: sender))
                        }
                    }
                    return await submitters.reduce(into: [:]) { $0[$1.0] = $1.1 }
                }
                await services.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return outcomes
            }
            let elapsed = ContinuousClock.now - start

            let calls = harness.telegram.calls("sendMessage")
            let tooManyRequests = calls.filter { $0.status == 429 }
            print(
                "2,000 messages to 100 chats: \(elapsed), "
                    + "\(calls.count) calls, \(tooManyRequests.count) answered 429"
            )

            // The emulator really pushed back, and only with 429s.
            #expect(tooManyRequests.count > 0)
            #expect(tooManyRequests.count == harness.telegram.tooManyRequestsCount)
            #expect(calls.allSatisfy { $0.status == 200 || $0.status == 429 })
            #expect(calls.count == chats.count * messagesPerChat + tooManyRequests.count)

            // Every 429 honoured: nothing reached its chat again before retry_after had passed
            // since the emulator answered it.
            let callsByChat = Dictionary(grouping: calls) { $0["chat_id"]?.intValue ?? 0 }
            for (chatID, chatCalls) in callsByChat {
                let ordered = chatCalls.sorted { $0.arrived < $1.arrived }
                for (refused, next) in zip(ordered, ordered.dropFirst()) where refused.status == 429 {
                    let retryAfter = Duration.seconds(try #require(refused.retryAfter))
                    #expect(
                        next.arrived >= refused.answered + retryAfter,
                        "chat \(chatID): a call came \(next.arrived - refused.answered) after a 429 asking for \(retryAfter)"
                    )
                }
            }

            // Nothing lost, nothing doubled, each chat's order kept.
            for chatID in chats {
                let expected = (1...messagesPerChat).map { Self.text(chatID, $0) }
                let events = harness.telegram.botEvents(inChat: chatID)
                #expect(events.allSatisfy { $0.kind == .sent })
                #expect(events.map(\.message.text) == expected, "chat \(chatID)")
                let delivered = (1...messagesPerChat).map { outcomes[chatID]?[$0]?.deliveredMessage?.text }
                #expect(delivered == expected, "chat \(chatID)")
            }

            let counters = sender.counters
            #expect(counters.sent == chats.count * messagesPerChat)
            #expect(counters.rateLimited == tooManyRequests.count)
            #expect(counters.failed == 0)
            #expect(counters.retried == 0)
            #expect(counters.abandoned == 0)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func anInteractiveReplyOvertakesAQueuedBroadcast() async throws {
        let broadcastChats: [Int64] = (1...30).map { 10_000 + $0 }
        let replyChat: Int64 = 20_000
        let limits = OutboundLimiter<OutboundCall>.Configuration(
            botLimit: OutboundRateLimit(count: 400, per: .seconds(1), burst: 20),
            privateChatLimit: OutboundRateLimit(count: 100, per: .seconds(1), burst: 20),
            groupChatLimit: OutboundRateLimit(count: 100, per: .seconds(1), burst: 20)
        )
        try await withEmulator(http: HTTPClient.Configuration(maxConnectionsPerHost: 16)) { harness in
            for id in broadcastChats + [replyChat] {
                _ = harness.telegram.privateUser(id: id, firstName: "User \(id)")
            }
            let logger = Logger(label: "outbound-sender")
            let sender = OutboundSender(
                client: harness.client,
                configuration: OutboundSender.Configuration(limits: limits, maximumConcurrentSends: 16),
                logger: logger
            )
            let services = ServiceGroup(configuration: .init(services: [sender], logger: logger))
            let queuedBehind = try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await services.run() }
                let (broadcast, delivered) = AsyncStream.makeStream(of: Void.self)
                for chatID in broadcastChats {
                    for number in 1...20 {
                        sender.submit(.sendMessage(SendMessage(chatID: chatID, text: Self.text(chatID, number))), priority: .low) { _ in
                            delivered.yield()
                        }
                    }
                }
                // Reply once the broadcast is under way, with most of it still queued.
                while sender.counters.sent < 50 {
                    try await Task.sleep(for: .milliseconds(5))
                }
                let queuedBehind = sender.queuedCount
                let reply = await sender.send(.sendMessage(SendMessage(chatID: replyChat, text: "Your request is saved")), priority: .high)
                #expect(reply.deliveredMessage?.text == "Your request is saved")
                var count = 0
                for await _ in broadcast {
                    count += 1
                    if count == broadcastChats.count * 20 { break }
                }
                await services.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return queuedBehind
            }

            // The reply went at the next free slot: of the messages queued when it was submitted,
            // all but those already handed out (at most one send slot each) reached Telegram after it.
            let calls = harness.telegram.calls("sendMessage")
            let replyArrival = try #require(calls.first { $0["chat_id"] == .int(replyChat) }).arrived
            let broadcastAfterReply = calls.filter { $0["chat_id"] != .int(replyChat) && $0.arrived > replyArrival }.count
            #expect(queuedBehind > 300)
            #expect(broadcastAfterReply >= queuedBehind - 16)
            #expect(sender.counters.sent == broadcastChats.count * 20 + 1)
        }
    }

    /// The text of a chat's `number`-th message; the number is what order and loss are checked by.
    private static func text(_ chatID: Int64, _ number: Int) -> String {
        "chat \(chatID) message \(number)"
    }

    /// Queues `count` messages to the chat in order and waits for all their outcomes, by number.
    private static func submit(_ count: Int, to chatID: Int64, through sender: OutboundSender) async -> [Int: OutboundSender.Outcome] {
        let (stream, continuation) = AsyncStream.makeStream(of: (Int, OutboundSender.Outcome).self)
        for number in 1...count {
            sender.submit(.sendMessage(SendMessage(chatID: chatID, text: text(chatID, number))), priority: .low) { outcome in
                continuation.yield((number, outcome))
            }
        }
        var outcomes: [Int: OutboundSender.Outcome] = [:]
        for await (number, outcome) in stream {
            outcomes[number] = outcome
            if outcomes.count == count { break }
        }
        return outcomes
    }
}

extension OutboundSender.Outcome {
    /// The message Telegram returned for a delivered call; nil otherwise.
    var deliveredMessage: Message? {
        if case .delivered(let message) = self { return message }
        return nil
    }
}

/// What the sender does with the emulator's refusals that are about a chat, not the rate.
@Suite("Outbound sender against the emulator's refusals")
struct OutboundSenderRefusalTests {
    @Test func aBlockedUsersQueuedMessagesFailUnsentWhileOtherChatsAndCallbackAnswersGoThrough() async throws {
        try await withEmulator { harness in
            let users = (1...5).map { harness.telegram.privateUser(id: Int64(3000 + $0), firstName: "User \($0)") }
            let blocked = users[0]
            blocked.blockBot()
            let keyboard = InlineKeyboardMarkup(rows: [[try .callback("Done", data: "done")]])
            _ = try await harness.client.sendMessage(SendMessage(chatID: users[1].chat.id, text: "Done?", replyMarkup: .inlineKeyboard(keyboard)))
            guard case .callbackQuery(let query) = try users[1].press("Done").kind else {
                Issue.record("pressing a button must produce a callback query")
                return
            }

            let logger = Logger(label: "outbound-sender")
            let sender = OutboundSender(client: harness.client, logger: logger)
            let services = ServiceGroup(configuration: .init(services: [sender], logger: logger))
            let outcomes = try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await services.run() }
                let outcomes = await withTaskGroup(of: (Int64, OutboundSender.Outcome).self) { sends in
                    for user in users {
                        for number in 1...3 {
                            sends.addTask {
                                let call = OutboundCall.sendMessage(SendMessage(chatID: user.chat.id, text: "Notice \(number)"))
                                return (user.chat.id, await sender.send(call, priority: .low))
                            }
                        }
                    }
                    sends.addTask {
                        let answer = OutboundCall.answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: query.id, text: "Saved"))
                        return (0, await sender.send(answer, priority: .high))
                    }
                    return await sends.reduce(into: [(Int64, OutboundSender.Outcome)]()) { $0.append($1) }
                }
                await services.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return outcomes
            }

            let refused = outcomes.filter { $0.0 == blocked.chat.id }.map(\.1)
            #expect(refused.count == 3)
            #expect(refused.allSatisfy { $0.failure?.code == .forbidden })
            // One call per chat is in flight at a time and the 403 ends the chat's queue, so the
            // emulator saw only the first.
            let blockedCalls = harness.telegram.calls("sendMessage").filter { $0["chat_id"]?.intValue == blocked.chat.id }
            #expect(blockedCalls.count == 1)
            #expect(blockedCalls.allSatisfy { $0.status == 403 })
            for user in users.dropFirst() {
                let texts = harness.telegram.botEvents(inChat: user.chat.id).map(\.message.text).filter { $0?.hasPrefix("Notice") == true }
                #expect(texts.count == 3, "chat \(user.chat.id)")
            }
            #expect(harness.telegram.callbackAnswer(for: query.id)?["text"] == .string("Saved"))
            let counters = sender.counters
            #expect(counters.sent == 4 * 3 + 1)
            #expect(counters.failed == 3)
            #expect(counters.abandoned == 0)
        }
    }
}

extension OutboundSender.Outcome {
    /// The error of a call that failed for good; nil otherwise.
    var failure: BotAPIError? {
        if case .failed(let error) = self { return error }
        return nil
    }
}
