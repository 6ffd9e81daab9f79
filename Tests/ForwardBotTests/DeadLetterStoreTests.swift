import Foundation
import Gateway
import Logging
import RedisClient
import Testing

/// The dead letter stores: one contract for both, and what only Redis promises.
@Suite("Dead letter stores")
struct DeadLetterStoreTests {
    static let redisURL = ProcessInfo.processInfo.environment["REDIS_URL"]

    static func letter(_ updateID: Int, bot: String = "shop") -> DeadLetter {
        DeadLetter(
            bot: BotID(bot), conversation: "42", updateID: updateID,
            update: #"{"update_id":\#(updateID),"message":{"text":"a \"quoted\" line"}}"#,
            reason: DeadLetter.Reason("exhausted"), error: "the backend answered 503 (after 5 attempts)", attempts: 5,
            time: Date(timeIntervalSince1970: 1_700_000_000))
    }

    @Test func aLetterRoundTripsThroughItsJSON() throws {
        let letter = Self.letter(7)
        let json = try letter.encoded()
        #expect(try DeadLetter.decode(json) == letter)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json)) as? [String: Any])
        #expect(Set(object.keys) == ["id", "bot", "conversation", "update_id", "update", "reason", "error", "attempts", "time"])
        #expect(object["time"] as? String == "2023-11-14T22:13:20Z")
        #expect(object["bot"] as? String == "shop")
    }

    @Test func theInMemoryStoreKeepsTheNewest() async throws {
        let store = InMemoryDeadLetterStore(capacity: 2)
        for id in 1...3 { try await store.add(Self.letter(id)) }
        #expect(store.letters.map(\.updateID) == [2, 3])
    }

    @Test(.enabled(if: Self.redisURL != nil, "REDIS_URL is unset: run ./scripts/test.sh, or export REDIS_URL=redis://127.0.0.1:6379"))
    func theRedisStoreKeepsTheNewestPerBot() async throws {
        var logger = Logger(label: "dead-letter-tests")
        logger.logLevel = .error
        let client = RedisClient(configuration: try RedisConfiguration(url: try #require(Self.redisURL)), logger: logger)
        let prefix = "test-dl-\(UUID().uuidString.prefix(8))"
        let store = RedisDeadLetterStore(client: client, keyPrefix: prefix, capacity: 2)
        do {
            for id in 1...3 { try await store.add(Self.letter(id)) }
            try await store.add(Self.letter(9, bot: "other"))

            #expect(store.key(of: BotID("shop")) == "{\(prefix):shop}:dead")
            #expect(try await store.count(of: BotID("shop")) == 2)
            #expect(try await client.send("HLEN", .string(store.key(of: BotID("shop")))).int == 2)
            #expect(try await store.recent(of: BotID("shop")) == [Self.letter(2), Self.letter(3)])
            #expect(try await store.recent(of: BotID("shop"), limit: 1) == [Self.letter(3)])
            #expect(try await store.recent(of: BotID("other")) == [Self.letter(9, bot: "other")])
            #expect(try await store.letter("u3", of: BotID("shop")) == Self.letter(3))
            #expect(try await store.letter("u1", of: BotID("shop")) == nil)
            // The same update given up on again keeps one letter.
            try await store.add(Self.letter(3))
            #expect(try await store.count(of: BotID("shop")) == 2)
            #expect(try await store.remove("u3", of: BotID("shop")))
            #expect(try await !store.remove("u3", of: BotID("shop")))
            #expect(try await store.recent(of: BotID("shop")) == [Self.letter(2)])
            for bot in ["shop", "other"] {
                try await client.send("DEL", .string(store.key(of: BotID(bot))), .string(store.indexKey(of: BotID(bot))))
            }
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }
}
