import Gateway
import Logging
import Synchronization
import TelegramBotAPI
import Testing

@Suite("Rate-limit middleware")
struct RateLimitMiddlewareTests {
    /// Counts the updates that reach it.
    final class CountingHandler: UpdateHandler {
        let handled = Mutex<[Int]>([])
        func handle(_ update: Update, context: UpdateContext) async throws -> StepOutcome {
            self.handled.withLock { $0.append(update.updateID) }
            return StepOutcome(replies: [.sendMessage(SendMessage(chatID: 1, text: "ok"))])
        }
    }

    static func pipeline(_ handler: CountingHandler, policy: RateLimitPolicy = .init()) -> UpdatePipeline {
        UpdatePipeline(
            middleware: [RateLimitMiddleware(store: InMemoryRateLimitStore(), policy: policy) { update, _ in
                [.sendMessage(SendMessage(chatID: update.chat?.id ?? 0, text: "slow down"))]
            }],
            handler: handler
        )
    }

    static func context(_ update: Update) -> UpdateContext {
        UpdateContext(update: update, bot: BotID("uk"), conversation: "1", state: nil, logger: Logger(label: "test"))
    }

    static func message(_ id: Int, text: String = "hello", from user: Int64 = 1) throws -> Update {
        let entities = text.hasPrefix("/") ? #","entities":[{"type":"bot_command","offset":0,"length":\#(text.utf16.count)}]"# : ""
        return try Update.decode(from: Array("""
            {"update_id":\(id),"message":{"message_id":\(id),"date":1700000000,\
            "chat":{"id":\(user),"type":"private","first_name":"U"},\
            "from":{"id":\(user),"is_bot":false,"first_name":"U"},"text":"\(text)"\(entities)}}
            """.utf8))
    }

    static func press(_ id: Int, data: String, messageID: Int = 50) throws -> Update {
        try Update.decode(from: Array("""
            {"update_id":\(id),"callback_query":{"id":"q\(id)","chat_instance":"c","data":"\(data)",\
            "from":{"id":1,"is_bot":false,"first_name":"U"},\
            "message":{"message_id":\(messageID),"date":1700000000,"chat":{"id":1,"type":"private","first_name":"U"},"text":"menu"}}}
            """.utf8))
    }

    @Test("25 messages in a minute: 20 handled, exactly one notice, then silence")
    func messagesPastLimit() async throws {
        let handler = CountingHandler()
        let pipeline = Self.pipeline(handler)
        var notices = 0
        var silent = 0
        for id in 1...25 {
            let update = try Self.message(id)
            let outcome = try await pipeline.run(update, context: Self.context(update))
            for case .sendMessage(let message) in outcome.replies where message.text == "slow down" { notices += 1 }
            if outcome.replies.isEmpty { silent += 1 }
        }
        #expect(handler.handled.withLock { $0 } == Array(1...20))
        #expect(notices == 1)
        #expect(silent == 4)
    }

    @Test("the sixth command in a minute is refused while text still passes")
    func commandsPastLimit() async throws {
        let handler = CountingHandler()
        let pipeline = Self.pipeline(handler)
        for id in 1...6 {
            let update = try Self.message(id, text: "/help")
            _ = try await pipeline.run(update, context: Self.context(update))
        }
        let text = try Self.message(7)
        _ = try await pipeline.run(text, context: Self.context(text))
        #expect(handler.handled.withLock { $0 } == [1, 2, 3, 4, 5, 7])
    }

    @Test("a double press is handled once; the repeat's callback is still answered")
    func doublePress() async throws {
        let handler = CountingHandler()
        let pipeline = Self.pipeline(handler)
        let first = try Self.press(1, data: "f:1:ok")
        let second = try Self.press(2, data: "f:1:ok")
        let other = try Self.press(3, data: "f:1:ok", messageID: 51)
        _ = try await pipeline.run(first, context: Self.context(first))
        let repeated = try await pipeline.run(second, context: Self.context(second))
        _ = try await pipeline.run(other, context: Self.context(other))
        #expect(handler.handled.withLock { $0 } == [1, 3])
        guard case .answerCallbackQuery(let answer) = try #require(repeated.replies.first) else {
            Issue.record("expected only an answer to the repeated press, got \(repeated.replies)")
            return
        }
        #expect(answer.callbackQueryID == "q2")
        #expect(repeated.replies.count == 1)
    }

    /// A store that always fails, as an unreachable Redis would.
    struct BrokenStore: RateLimitStore {
        struct Failure: Error {}
        func record(_ hit: RateLimitHit, policy: RateLimitPolicy) async throws -> RateLimitDecision { throw Failure() }
    }

    @Test("an unreachable store lets updates through instead of losing them")
    func brokenStore() async throws {
        let handler = CountingHandler()
        let pipeline = UpdatePipeline(middleware: [RateLimitMiddleware(store: BrokenStore(), policy: .init()) { _, _ in [] }], handler: handler)
        for id in 1...3 {
            let update = try Self.message(id)
            _ = try await pipeline.run(update, context: Self.context(update))
        }
        #expect(handler.handled.withLock { $0 } == [1, 2, 3])
    }
}
