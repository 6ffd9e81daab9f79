import Foundation
@testable import Gateway
import GatewayTestSupport
import RedisClient
import TelegramBotAPI
import Testing

/// Redis refusing writes (out of memory under `noeviction`) in the middle of
/// a commit, against a private redis-server whose `maxmemory` the test sets.
@Suite("Durable pipeline: Redis refusals", .serialized)
struct RedisRefusalTests {
    @Test("out of memory during a commit: the script commits, the refused registration is retried alone until it lands; nothing stranded", .timeLimit(.minutes(1)))
    func refusedRegistrationIsRetriedAlone() async throws {
        let server = try PrivateRedisServer()
        let redis = RedisClient(configuration: server.configuration, logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(), logger: DurableTests.logger)
        let (update, raw) = try DurableTests.update(id: 21, chat: 2100, sequence: 1)
        try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
        let conversation = RedisKeyspace.conversation(of: update)
        guard case .item(let item) = try await inbox.lease(conversation, of: DurableTests.bot) else {
            Issue.record("the update was not leased")
            return
        }

        try await redis.send("CONFIG", "SET", "maxmemory-policy", "noeviction")
        try await redis.send("CONFIG", "SET", "maxmemory", "1")
        let refused = await #expect(throws: RedisError.self) { try await redis.send("SET", "probe", "1") }
        #expect(refused?.message.contains("OOM") == true, "Redis refuses writes now")

        let committed = Task {
            try await inbox.commit(item, outcome: StepOutcome(replies: [.sendMessage(SendMessage(chatID: 2100, text: "kept"))]))
        }
        let keys = inbox.keys.conversation(conversation, of: DurableTests.bot)
        try await waitUntil("the script to commit while the registration is refused", timeout: .seconds(10)) {
            try await redis.send("LLEN", .string(keys.outbox)).int == 1
        }
        #expect(try await redis.send("ZSCORE", .string(inbox.keys.bot(DurableTests.bot).outbox), .string(conversation)).isNull)
        try await Task.sleep(for: .milliseconds(300))
        try await redis.send("CONFIG", "SET", "maxmemory", "0")
        try await committed.value

        #expect(try await redis.send("LLEN", .string(keys.queue)).int == 0, "the update was acknowledged once")
        #expect(try await redis.send("LLEN", .string(keys.outbox)).int == 1, "the reply is stored once")
        #expect(!(try await redis.send("ZSCORE", .string(inbox.keys.bot(DurableTests.bot).outbox), .string(conversation)).isNull),
                "and registered, so a relay finds it without waiting for the conversation's next update")
        await redis.close()
    }

    @Test("a step that keeps the state refreshes its FSM TTL", .timeLimit(.minutes(1)))
    func keptStateGetsItsTTLAgain() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: DurableTests.pipeline(), logger: DurableTests.logger)
        let (update, raw) = try DurableTests.update(id: 22, chat: 2200, sequence: 1)
        let conversation = RedisKeyspace.conversation(of: update)
        let keys = inbox.keys.conversation(conversation, of: DurableTests.bot)
        try await redis.send("SET", .string(keys.state), "{}", "EX", 5)
        try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
        guard case .item(let item) = try await inbox.lease(conversation, of: DurableTests.bot) else {
            Issue.record("the update was not leased")
            return
        }
        try await inbox.commit(item, outcome: .unchanged)
        let ttl = try #require(try await redis.send("TTL", .string(keys.state)).int)
        #expect(ttl > 5, "the FSM TTL (\(inbox.configuration.fsmTTL)) started again, though the state did not change")
        await redis.close()
    }
}
