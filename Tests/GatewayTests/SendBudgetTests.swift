import Foundation
import Gateway
import GatewayTestSupport
import RedisClient
import TelegramBotAPI
import Testing

/// The shared Telegram budget on a real Redis: two budgets of one bot (two
/// instances) share the bot's and each chat's limits, priorities hold on
/// the shared bucket, and a Redis that does not answer grants.
@Suite("Shared Telegram budget")
struct SendBudgetTests {
    static func withBudgets(
        limits: OutboundLimiter<OutboundCall>.Configuration, _ body: (RedisSendBudget, RedisSendBudget, RedisClient) async throws -> Void
    ) async throws {
        let client = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let prefix = "budget-\(UUID().uuidString.prefix(8))"
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            let make = { RedisSendBudget(client: client, keyPrefix: prefix, bot: BotID("b"), limits: limits, logger: DurableTests.logger) }
            try await body(make(), make(), client)
            try await TestRedis.deleteKeys(prefix: prefix, on: client)
        }
    }

    @Test("two instances together get one bot's rate: 10 a second with a burst, never 2 × 10")
    func sharedRate() async throws {
        let limits = OutboundLimiter<OutboundCall>.Configuration(botLimit: OutboundRateLimit(count: 10, per: .seconds(1)))
        try await Self.withBudgets(limits: limits) { first, second, _ in
            var granted = 0
            // 40 asks in a burst, alternating instances, each to a chat of its own: the bot's bucket alone decides.
            for index in 0..<40 {
                let budget = index % 2 == 0 ? first : second
                if await budget.reserve(.chat(id: Int64(index + 1), kind: .privateChat), priority: .high) == .granted { granted += 1 }
            }
            // A burst of 10 (`botBurst`) at most, plus what refills while asking.
            #expect((10...12).contains(granted), "granted \(granted) of 40 asked at once")
            guard case .wait(let wait, let scope) = await first.reserve(.chat(id: 999, kind: .privateChat), priority: .high) else {
                Issue.record("the 41st was granted")
                return
            }
            #expect(scope == .bot && wait <= .milliseconds(101))
        }
    }

    @Test("one chat: 1 a second with a burst of 3 across instances, scoped to the chat")
    func chatLimit() async throws {
        try await Self.withBudgets(limits: .init()) { first, second, _ in
            var answers: [SendBudgetAnswer] = []
            for index in 0..<5 { answers.append(await (index % 2 == 0 ? first : second).reserve(.chat(id: 42, kind: .privateChat), priority: .high)) }
            #expect(answers.prefix(3).allSatisfy { $0 == .granted })
            guard case .wait(let wait, let scope) = answers[3] else {
                Issue.record("a fourth message to one chat at once was granted")
                return
            }
            #expect(scope == .chat && wait > .milliseconds(900))
            #expect(await second.reserve(.chat(id: 43, kind: .privateChat), priority: .high) == .granted, "another chat is not held")
        }
    }

    @Test("priorities hold on the shared bucket: once high sends fill it, low waits while high still goes")
    func priorities() async throws {
        let limits = OutboundLimiter<OutboundCall>.Configuration(botLimit: OutboundRateLimit(count: 10, per: .seconds(1)))
        try await Self.withBudgets(limits: limits) { first, second, _ in
            // Three high sends leave the bucket 3 intervals ahead: past low's tolerance (1), within high's (9).
            for chat in 1...3 { _ = await first.reserve(.chat(id: Int64(chat), kind: .privateChat), priority: .high) }
            if case .granted = await second.reserve(.chat(id: 100, kind: .privateChat), priority: .low) {
                Issue.record("a low send went while high sends filled the bucket")
            }
            #expect(await second.reserve(.chat(id: 101, kind: .privateChat), priority: .high) == .granted)
            #expect(await second.reserve(.chat(id: 102, kind: .privateChat), priority: .normal) == .granted, "normal's tolerance is 5")
        }
    }

    @Test("a commit's replies take their sends in one call, all or nothing, and count as single sends do")
    func reservationOfACommitsReplies() async throws {
        // The default chat limit: 1 a second with a burst of 3.
        try await Self.withBudgets(limits: .init()) { first, second, client in
            let answer = OutboundCall.answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: "q"))
            let message = OutboundCall.sendMessage(SendMessage(chatID: 42, text: "hi"))
            // Pipelined EVALSHA is not retried on NOSCRIPT (it is only refused, and the sends then reserve on
            // their own, which loads the script): one send of another chat loads it here.
            #expect(await first.reserve(.chat(id: 1000, kind: .privateChat), priority: .high) == .granted)
            let granted = try await client.pipeline([first.reservation(for: [answer, message, message], priority: .high)])
            #expect(RedisSendBudget.isGranted(granted[0]), "two of chat 42's burst of 3 and three more of the bot's")
            let refused = try await client.pipeline([second.reservation(for: [message, message], priority: .high)])
            #expect(!RedisSendBudget.isGranted(refused[0]), "two more would pass the chat's burst")
            #expect(await second.reserve(.chat(id: 42, kind: .privateChat), priority: .high) == .granted, "the refusal took nothing: one is left")
            guard case .wait(_, let scope) = await first.reserve(.chat(id: 42, kind: .privateChat), priority: .high) else {
                Issue.record("a fourth message to chat 42 at once was granted")
                return
            }
            #expect(scope == .chat)
            let other = try await client.pipeline([second.reservation(for: [.sendMessage(SendMessage(chatID: -7, text: "group"))], priority: .high)])
            #expect(RedisSendBudget.isGranted(other[0]), "another chat is not held")
        }
    }

    @Test("a Redis that does not answer grants: sending goes on under the local limiter")
    func redisAway() async throws {
        var configuration = try RedisConfiguration(url: "redis://127.0.0.1:1")
        configuration.connectTimeout = .milliseconds(200)
        let client = RedisClient(configuration: configuration, logger: DurableTests.logger)
        let budget = RedisSendBudget(client: client, keyPrefix: "x", bot: BotID("b"), limits: .init(), logger: DurableTests.logger)
        #expect(await budget.reserve(.chat(id: 1, kind: .privateChat), priority: .low) == .granted)
    }
}
