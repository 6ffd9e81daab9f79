import Conversations
import RedisClient
import Testing

@Test("Redis store keys share the durable pipeline's hash tags")
func redisStoreKeys() {
    let store = RedisConversationStore(client: UnusedRunner(), keyPrefix: "gw")
    #expect(store.stateKey(ConversationStoreKey(bot: "uk", conversation: "-100123:42")) == "{gw:uk:-100123:42}:state")
    #expect(store.profileKey(bot: "uk", user: 42) == "{gw:uk:42}:profile")
}

/// What only the Redis store promises: the state key holds what the durable pipeline reads and writes.
@Suite(
    "Redis conversation store",
    .enabled(
        if: StoreKind.redisURL != nil,
        "REDIS_URL is unset: neither this suite nor the store contract's Redis cases ran; run ./scripts/test.sh, or export REDIS_URL=redis://127.0.0.1:6379"
    )
)
struct RedisConversationStoreTests {
    @Test func theStateKeyHoldsTheStateJSONWithTheFSMTTL() async throws {
        try await withRedisClient { client in
            let store = RedisConversationStore(client: client, keyPrefix: uniquePrefix(), fsmTTL: .seconds(3600))
            let key = ConversationStoreKey(bot: "uk", conversation: "7")
            let state = ConversationStateCodingTests.state
            try await store.save(state, for: key, expecting: nil)
            let raw = try await client.send("GET", .string(store.stateKey(key)))
            #expect(raw.bytes == state.encoded())
            let ttl = try #require(try await client.send("PTTL", .string(store.stateKey(key))).int)
            #expect((3_590_000...3_600_000).contains(ttl))

            // What the durable pipeline's commit writes (a plain SET) loads and saves on.
            var next = state
            next.version += 1
            try await client.send("SET", .string(store.stateKey(key)), .bytes(next.encoded()), "EX", 3600)
            #expect(try await store.load(key) == next)
            try await store.save(state, for: key, expecting: next.version)
        }
    }
}

/// A runner for tests that never reach Redis.
private struct UnusedRunner: RedisCommandRunner {
    func send(_ arguments: [RedisArgument], timeout: Duration?) async throws -> RedisValue {
        throw RedisError(code: .clientClosed, message: "not connected")
    }

    func pipeline(_ commands: [[RedisArgument]], timeout: Duration?) async throws -> [Result<RedisValue, RedisError>] {
        throw RedisError(code: .clientClosed, message: "not connected")
    }
}
