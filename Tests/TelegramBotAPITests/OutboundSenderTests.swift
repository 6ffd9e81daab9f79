import CurlHTTP
import Logging
import ServiceLifecycle
import Synchronization
import TelegramEmulator
import Testing

@testable import TelegramBotAPI

/// Limits loose enough that only what a test scripts (429s, failures) paces
/// the sends, and retries quick enough for tests.
private func fastConfiguration(
    maximumConcurrentSends: Int = 16,
    shutdownGracePeriod: Duration = .seconds(5),
    maximumRetries: Int = 4
) -> OutboundSender.Configuration {
    OutboundSender.Configuration(
        limits: .init(
            botLimit: OutboundRateLimit(count: 1000, per: .seconds(1)),
            privateChatLimit: OutboundRateLimit(count: 100, per: .seconds(1), burst: 10),
            groupChatLimit: OutboundRateLimit(count: 100, per: .seconds(1), burst: 10),
            retry: .init(maximumRetries: maximumRetries, initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(100))
        ),
        maximumConcurrentSends: maximumConcurrentSends,
        shutdownGracePeriod: shutdownGracePeriod
    )
}

/// Runs `body` with a sender running in a `ServiceGroup` against a scripted
/// server; shuts the group down gracefully afterwards.
private func withSender<Result: Sendable>(
    configuration: OutboundSender.Configuration = fastConfiguration(),
    startRunning: Bool = true,
    reply: @escaping ScriptedBotAPI.Reply,
    _ body: (OutboundSender, ScriptedBotAPI, ServiceGroup) async throws -> Result
) async throws -> Result {
    try await withBotAPI(reply: reply) { client, script in
        let logger = Logger(label: "test")
        let sender = OutboundSender(client: client, configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [sender], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result = try await body(sender, script, group)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}

/// Answers `sendMessage` with a message echoing the chat and text.
@Sendable private func deliver(_ call: ReceivedCall) -> LocalHTTPServer.Response {
    let fields = call.fields
    return ScriptedBotAPI.ok(ScriptedBotAPI.message(id: 1, chatID: fields.chatID ?? 0, text: fields.text ?? ""))
}

/// Counts calls per key, for scripts that answer the n-th attempt differently.
private final class AttemptCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    func next(_ key: String) -> Int {
        counts.withLock { counts in
            counts[key, default: 0] += 1
            return counts[key]!
        }
    }
}

private func message(_ chatID: Int64, _ text: String) -> OutboundCall {
    .sendMessage(SendMessage(chatID: chatID, text: text))
}

extension OutboundSender.Outcome {
    var deliveredText: String? {
        if case .delivered(let message) = self { return message?.text }
        return nil
    }

    var failure: BotAPIError? {
        if case .failed(let error) = self { return error }
        return nil
    }

    var isAbandoned: Bool {
        if case .abandoned = self { return true }
        return false
    }
}

@Suite("Outbound sender")
struct OutboundSenderTests {
    @Test func deliversAndReturnsTheSentMessage() async throws {
        try await withSender(reply: deliver) { sender, script, _ in
            let outcome = await sender.send(message(5, "Hello"), priority: .high)
            #expect(outcome.deliveredText == "Hello")
            #expect(script.received.map(\.method) == ["sendMessage"])
            #expect(sender.counters == .init(sent: 1))
        }
    }

    @Test func rateLimitPausesOnlyThatChat() async throws {
        let attempts = AttemptCounter()
        try await withSender(reply: { call in
            if call.fields.chatID == 1, attempts.next("chat1") == 1 {
                return ScriptedBotAPI.error(429, "Too Many Requests: retry after 2", retryAfter: 2)
            }
            return deliver(call)
        }) { sender, script, _ in
            async let first = sender.send(message(1, "a1"), priority: .high)
            // Let the 429 land before the other chat's messages are queued.
            try await Task.sleep(for: .milliseconds(100))
            async let second = sender.send(message(1, "a2"), priority: .high)
            var others: [OutboundSender.Outcome] = []
            for index in 1...3 {
                others.append(await sender.send(message(2, "b\(index)"), priority: .high))
            }
            #expect(others.map(\.deliveredText) == ["b1", "b2", "b3"])
            let (firstOutcome, secondOutcome) = await (first, second)
            #expect(firstOutcome.deliveredText == "a1")
            #expect(secondOutcome.deliveredText == "a2")

            let chat1 = script.received.filter { $0.fields.chatID == 1 }
            #expect(chat1.map { $0.fields.text } == ["a1", "a1", "a2"])
            #expect(chat1[1].arrivedAt - chat1[0].arrivedAt >= .seconds(2))
            // The other chat was not held behind chat 1's pause: all of it
            // reached Telegram before chat 1's retry did.
            let chat2 = script.received.filter { $0.fields.chatID == 2 }
            #expect(chat2.count == 3)
            #expect(chat2.allSatisfy { $0.arrivedAt < chat1[1].arrivedAt })
            #expect(sender.counters.rateLimited == 1)
            #expect(sender.counters.sent == 5)
        }
    }

    @Test("429s in two chats at once are the bot's limit: a third chat waits too")
    func rateLimitsInTwoChatsPauseTheBot() async throws {
        let attempts = AttemptCounter()
        try await withSender(reply: { call in
            if let chat = call.fields.chatID, chat != 3, attempts.next("chat\(chat)") == 1 {
                return ScriptedBotAPI.error(429, "Too Many Requests: retry after 2", retryAfter: 2)
            }
            return deliver(call)
        }) { sender, script, _ in
            async let first = sender.send(message(1, "a"), priority: .high)
            async let second = sender.send(message(2, "b"), priority: .high)
            // Both 429s land before the third chat's message is queued.
            try await Task.sleep(for: .milliseconds(200))
            let started = ContinuousClock.now
            let third = await sender.send(message(3, "c"), priority: .high)
            #expect(third.deliveredText == "c")
            #expect(ContinuousClock.now - started >= .seconds(1.5), "held by the bot-wide pause")
            let (a, b) = await (first, second)
            #expect(a.deliveredText == "a" && b.deliveredText == "b")
            #expect(sender.counters.rateLimited == 2)
            _ = script
        }
    }

    @Test func serverErrorsAreRetriedUntilDelivered() async throws {
        let attempts = AttemptCounter()
        try await withSender(reply: { call in
            switch attempts.next("all") {
            case 1: ScriptedBotAPI.error(500, "Internal Server Error")
            case 2: ScriptedBotAPI.json(502, "<html>Bad Gateway</html>")
            default: deliver(call)
            }
        }) { sender, script, _ in
            let outcome = await sender.send(message(5, "Hello"), priority: .high)
            #expect(outcome.deliveredText == "Hello")
            #expect(script.received.count == 3)
            #expect(sender.counters == .init(sent: 1, retried: 2))
        }
    }

    @Test func retriesRunOutIntoAFailure() async throws {
        try await withSender(configuration: fastConfiguration(maximumRetries: 2), reply: { _ in
            ScriptedBotAPI.error(500, "Internal Server Error")
        }) { sender, script, _ in
            let outcome = await sender.send(message(5, "Hello"), priority: .high)
            #expect(outcome.failure?.code == .serverError)
            #expect(script.received.count == 3)
            #expect(sender.counters == .init(retried: 2, failed: 1))
        }
    }

    @Test func forbiddenIsReportedOnceAndNotRetried() async throws {
        try await withSender(reply: { call in
            call.fields.chatID == 7 ? ScriptedBotAPI.error(403, "Forbidden: bot was blocked by the user") : deliver(call)
        }) { sender, script, _ in
            let reports = Mutex<[OutboundSender.Outcome]>([])
            let reported = AsyncStream.makeStream(of: Void.self)
            sender.submit(message(7, "Hello"), priority: .high) { outcome in
                reports.withLock { $0.append(outcome) }
                reported.continuation.yield()
            }
            var iterator = reported.stream.makeAsyncIterator()
            await iterator.next()
            // Other traffic goes on, and gives a retry every chance to show up.
            for index in 1...3 {
                _ = await sender.send(message(8, "m\(index)"), priority: .high)
            }
            try await Task.sleep(for: .milliseconds(200))
            let outcomes = reports.withLock { $0 }
            #expect(outcomes.count == 1)
            let error = try #require(outcomes.first?.failure)
            #expect(error.code == .forbidden)
            #expect(error.description == "Forbidden: bot was blocked by the user")
            #expect(script.received.filter { $0.fields.chatID == 7 }.count == 1)
            #expect(sender.counters == .init(sent: 3, failed: 1))
        }
    }

    @Test func forbiddenFailsTheChatsQueuedCallsUnsent() async throws {
        try await withSender(reply: { call in
            guard call.fields.chatID == 7 else { return deliver(call) }
            // Answer slowly, so that the chat's other calls are queued behind this one.
            try? await Task.sleep(for: .milliseconds(100))
            return ScriptedBotAPI.error(403, "Forbidden: bot was blocked by the user")
        }) { sender, script, _ in
            async let first = sender.send(message(7, "m1"), priority: .high)
            async let second = sender.send(message(7, "m2"), priority: .high)
            async let third = sender.send(message(7, "m3"), priority: .low)
            async let elsewhere = sender.send(message(8, "other"), priority: .high)
            let outcomes = await [first, second, third]
            #expect(outcomes.map { $0.failure?.code } == [.forbidden, .forbidden, .forbidden])
            #expect(await elsewhere.deliveredText == "other")
            #expect(script.received.filter { $0.fields.chatID == 7 }.count == 1)
            #expect(sender.counters == .init(sent: 1, failed: 3))
        }
    }

    @Test func orderWithinAChatHoldsThroughRetries() async throws {
        let attempts = AttemptCounter()
        try await withSender(reply: { call in
            let text = call.fields.text ?? ""
            // The 3rd and 6th messages fail once each.
            if ["m3", "m6"].contains(text), attempts.next(text) == 1 {
                return ScriptedBotAPI.error(502, "Bad Gateway")
            }
            return deliver(call)
        }) { sender, script, _ in
            let texts = (1...8).map { "m\($0)" }
            let reported = Mutex(0)
            // Queued in order at once, so that the sender has them all to choose from.
            for text in texts {
                sender.submit(message(3, text), priority: .high) { _ in reported.withLock { $0 += 1 } }
            }
            while reported.withLock({ $0 }) < texts.count {
                try await Task.sleep(for: .milliseconds(10))
            }
            let delivered = script.received.filter { $0.fields.chatID == 3 }.map { $0.fields.text ?? "" }
            #expect(delivered == ["m1", "m2", "m3", "m3", "m4", "m5", "m6", "m6", "m7", "m8"])
            #expect(sender.counters == .init(sent: 8, retried: 2))
        }
    }

    @Test func interactiveGoesBeforeBulk() async throws {
        // One send at a time, queued before the sender runs: the server sees
        // the order in which the sender chose.
        try await withBotAPI(reply: deliver) { client, script in
            let sender = OutboundSender(client: client, configuration: fastConfiguration(maximumConcurrentSends: 1), logger: Logger(label: "test"))
            let done = Mutex(0)
            for chat in 1...4 {
                sender.submit(message(Int64(chat), "bulk\(chat)"), priority: .low) { _ in done.withLock { $0 += 1 } }
            }
            sender.submit(.answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: "q1")), priority: .high) { _ in done.withLock { $0 += 1 } }
            sender.submit(message(9, "reply"), priority: .high) { _ in done.withLock { $0 += 1 } }
            let group = ServiceGroup(configuration: .init(services: [sender], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                while done.withLock({ $0 }) < 6 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            let order = script.received.map { $0.method == "answerCallbackQuery" ? "answer" : $0.fields.text ?? "" }
            #expect(order == ["answer", "reply", "bulk1", "bulk2", "bulk3", "bulk4"])
        }
    }

    @Test func shutdownDrainsQueuedAndInFlightCalls() async throws {
        try await withSender(configuration: fastConfiguration(maximumConcurrentSends: 1), reply: { call in
            try? await Task.sleep(for: .milliseconds(100))
            return deliver(call)
        }) { sender, script, group in
            let outcomes = Mutex<[String: OutboundSender.Outcome]>([:])
            for chat in 1...3 {
                sender.submit(message(Int64(chat), "m\(chat)"), priority: .high) { outcome in
                    outcomes.withLock { $0["m\(chat)"] = outcome }
                }
            }
            try await Task.sleep(for: .milliseconds(30))
            await group.triggerGracefulShutdown()
            // The group passes the shutdown on to its services asynchronously.
            while sender.isAcceptingCalls {
                try await Task.sleep(for: .milliseconds(5))
            }
            // Calls after shutdown began are turned away at once.
            let late = await sender.send(message(4, "late"), priority: .high)
            #expect(late.isAbandoned)
            while outcomes.withLock({ $0.count }) < 3 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(outcomes.withLock { $0.values.compactMap(\.deliveredText).sorted() } == ["m1", "m2", "m3"])
            #expect(script.received.count == 3)
        }
    }

    @Test func shutdownDeadlineAbandonsWhatIsLeftExactlyOnce() async throws {
        try await withBotAPI(reply: { call in
            try? await Task.sleep(for: .seconds(10))
            return deliver(call)
        }) { client, script in
            let sender = OutboundSender(
                client: client,
                configuration: fastConfiguration(maximumConcurrentSends: 1, shutdownGracePeriod: .milliseconds(300)),
                logger: Logger(label: "test")
            )
            let reports = Mutex<[String]>([])
            for text in ["m1", "m2", "m3"] {
                sender.submit(message(1, text), priority: .high) { outcome in
                    reports.withLock { $0.append("\(text):\(outcome.isAbandoned ? "abandoned" : "other")") }
                }
            }
            let group = ServiceGroup(configuration: .init(services: [sender], logger: Logger(label: "test")))
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                while script.received.isEmpty {
                    try await Task.sleep(for: .milliseconds(10))
                }
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(reports.withLock { $0.sorted() } == ["m1:abandoned", "m2:abandoned", "m3:abandoned"])
            #expect(sender.counters == .init(abandoned: 3))
            #expect(script.received.count == 1)
        }
    }
}
