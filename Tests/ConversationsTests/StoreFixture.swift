import Foundation
import GatewayTestSupport
import RedisClient
import Synchronization
import Testing

@testable import Conversations

/// The stores the contract suite runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case redis

    /// The Redis the test command started; when it is unset, the Redis suite
    /// is reported as skipped with a message saying the contract's Redis cases did not run.
    static let redisURL = ProcessInfo.processInfo.environment["REDIS_URL"]

    /// Every store, or only the in-memory one when there is no Redis to test against.
    static let tested: [StoreKind] = redisURL == nil ? [.memory] : allCases

    var testDescription: String { self.rawValue }
}

/// One store under test, with what the contract needs around it.
struct StoreFixture {
    let store: any ConversationStore
    /// Lets `duration` pass for the store's TTLs.
    let advance: (Duration) async throws -> Void
    /// Writes raw bytes where the state of `key` lives.
    let plantState: ([UInt8], ConversationStoreKey) async throws -> Void
    /// Writes raw bytes where the profile of `user` of `bot` lives.
    let plantProfile: ([UInt8], String, Int64) async throws -> Void
}

extension StoreKind {
    /// Runs `body` with a fresh store of this kind; the Redis one under a
    /// key prefix of its own.
    func withStore(
        fsmTTL: Duration = .seconds(60),
        sessionTTL: Duration = .seconds(120),
        _ body: (StoreFixture) async throws -> Void
    ) async throws {
        switch self {
        case .memory:
            let clock = ManualClock()
            let store = InMemoryConversationStore(clock: clock, fsmTTL: fsmTTL, sessionTTL: sessionTTL)
            try await body(StoreFixture(
                store: store,
                advance: { clock.advance(by: $0) },
                plantState: { store.plantState($0, for: $1) },
                plantProfile: { store.plantProfile($0, bot: $1, user: $2) }
            ))
        case .redis:
            try await withRedisClient { client in
                let store = RedisConversationStore(client: client, keyPrefix: uniquePrefix(), fsmTTL: fsmTTL, sessionTTL: sessionTTL)
                try await body(StoreFixture(
                    store: store,
                    advance: { try await Task.sleep(for: $0) },
                    plantState: { bytes, key in
                        try await client.send("SET", .string(store.stateKey(key)), .bytes(bytes), "PX", .integer(fsmTTL.redisMilliseconds))
                    },
                    plantProfile: { bytes, bot, user in
                        try await client.send("SET", .string(store.profileKey(bot: bot, user: user)), .bytes(bytes))
                    }
                ))
            }
        }
    }
}

/// Runs `body` with a client of the Redis at `REDIS_URL`, closed afterwards.
func withRedisClient(_ body: (RedisClient) async throws -> Void) async throws {
    try await withRedisClient(try RedisConfiguration(url: try #require(StoreKind.redisURL)), body)
}

/// A key prefix of one test, so tests sharing a server never collide.
func uniquePrefix() -> String {
    "test-conv-\(UUID().uuidString.prefix(8))"
}

/// A clock that moves only when told to.
final class ManualClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration

        func advanced(by duration: Duration) -> Instant {
            Instant(offset: self.offset + duration)
        }

        func duration(to other: Instant) -> Duration {
            other.offset - self.offset
        }

        static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }
    }

    private let current = Mutex(Instant(offset: .zero))

    var now: Instant { self.current.withLock { $0 } }

    var minimumResolution: Duration { .nanoseconds(1) }

    func advance(by duration: Duration) {
        self.current.withLock { $0 = $0.advanced(by: duration) }
    }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        while self.now < deadline {
            try await Task.sleep(for: .milliseconds(1))
        }
    }
}
