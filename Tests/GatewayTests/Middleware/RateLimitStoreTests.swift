import Foundation
import Gateway
import Logging
import RedisClient
import Synchronization
import Testing

/// One contract for both rate-limit stores. The in-memory store runs on a
/// hand-moved clock; the Redis store on real time, with the windows' expiry
/// checked through the keys' TTLs instead of waiting a minute. The Redis
/// store runs it twice: through its script, and as a private chat's step
/// uses it — counters read as the lease reads them, the decision taken in
/// Swift, the writes run as the commit runs them.
@Suite("Rate-limit stores")
struct RateLimitStoreTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case memory
        case redis
        case redisPreloaded
        var testDescription: String { self.rawValue }
    }

    /// ``RedisRateLimitStore`` used the way a private chat's step uses it.
    struct PreloadedStore: RateLimitStore {
        let store: RedisRateLimitStore
        let client: RedisClient

        func record(_ hit: RateLimitHit, policy: RateLimitPolicy) async throws -> RateLimitDecision {
            let keys = self.store.preloadKeys(for: hit)
            let replies = try await self.client.pipeline(keys.flatMap { [["GET", .string($0)], ["PTTL", .string($0)]] })
            let preloaded = try keys.indices.map { index in
                PreloadedValue(
                    key: keys[index],
                    value: try replies[index * 2].get().bytes,
                    millisecondsToLive: try replies[index * 2 + 1].get().int ?? -2
                )
            }
            let decided = try #require(self.store.decide(hit, policy: policy, preloaded: preloaded))
            if !decided.writes.isEmpty {
                _ = try await self.client.transaction(decided.writes)
            }
            return decided.decision
        }
    }

    /// A store and what the test may do to it.
    struct Subject {
        let store: any RateLimitStore
        let client: RedisClient?
        let prefix: String
    }

    static func withStore(_ kind: Kind, _ body: (Subject) async throws -> Void) async throws {
        switch kind {
        case .memory:
            try await body(Subject(store: InMemoryRateLimitStore(), client: nil, prefix: ""))
        case .redis:
            let client = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
            let prefix = "rl-\(UUID().uuidString.prefix(8))"
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                defer { group.cancelAll() }
                try await body(Subject(store: RedisRateLimitStore(client: client, keyPrefix: prefix), client: client, prefix: prefix))
            }
        case .redisPreloaded:
            let client = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
            let prefix = "rl-\(UUID().uuidString.prefix(8))"
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                defer { group.cancelAll() }
                let store = PreloadedStore(store: RedisRateLimitStore(client: client, keyPrefix: prefix), client: client)
                try await body(Subject(store: store, client: client, prefix: prefix))
            }
        }
    }

    static let bot = BotID("uk")

    @Test("past the per-minute limit: one notice, then silence; other users unaffected", arguments: Kind.allCases)
    func minuteLimit(kind: Kind) async throws {
        try await Self.withStore(kind) { (subject: Subject) async throws in
            let policy = RateLimitPolicy(messagesPerMinute: 3, messagesPerHour: 100, commandsPerMinute: 100)
            var decisions: [RateLimitDecision] = []
            for _ in 0..<6 {
                decisions.append(try await subject.store.record(RateLimitHit(bot: Self.bot, userID: 1, isCommand: false), policy: policy))
            }
            #expect(decisions == [.allowed, .allowed, .allowed, .notify, .silent, .silent])
            #expect(try await subject.store.record(RateLimitHit(bot: Self.bot, userID: 2, isCommand: false), policy: policy) == .allowed)
            #expect(try await subject.store.record(RateLimitHit(bot: BotID("other"), userID: 1, isCommand: false), policy: policy) == .allowed)
        }
    }

    @Test("commands have their own, smaller limit; plain messages still pass", arguments: Kind.allCases)
    func commandLimit(kind: Kind) async throws {
        try await Self.withStore(kind) { (subject: Subject) async throws in
            let policy = RateLimitPolicy(messagesPerMinute: 20, messagesPerHour: 100, commandsPerMinute: 2)
            let command = RateLimitHit(bot: Self.bot, userID: 7, isCommand: true)
            let text = RateLimitHit(bot: Self.bot, userID: 7, isCommand: false)
            #expect(try await subject.store.record(command, policy: policy) == .allowed)
            #expect(try await subject.store.record(command, policy: policy) == .allowed)
            #expect(try await subject.store.record(command, policy: policy) == .notify)
            #expect(try await subject.store.record(text, policy: policy) == .allowed)
            #expect(try await subject.store.record(command, policy: policy) == .silent)
        }
    }

    @Test("the hour limit trips even while each minute stays under its own", arguments: Kind.allCases)
    func hourLimit(kind: Kind) async throws {
        try await Self.withStore(kind) { (subject: Subject) async throws in
            let policy = RateLimitPolicy(messagesPerMinute: 100, messagesPerHour: 4, commandsPerMinute: 100)
            let hit = RateLimitHit(bot: Self.bot, userID: 9, isCommand: false)
            var decisions: [RateLimitDecision] = []
            for _ in 0..<5 { decisions.append(try await subject.store.record(hit, policy: policy)) }
            #expect(decisions == [.allowed, .allowed, .allowed, .allowed, .notify])
        }
    }

    @Test("a repeated press of the same button within the window counts once, and counts nothing", arguments: Kind.allCases)
    func repeatPress(kind: Kind) async throws {
        try await Self.withStore(kind) { (subject: Subject) async throws in
            let policy = RateLimitPolicy(messagesPerMinute: 3, messagesPerHour: 100, commandsPerMinute: 100, repeatPressWindow: .milliseconds(300))
            func press(_ user: Int64, _ button: String) async throws -> RateLimitDecision {
                try await subject.store.record(RateLimitHit(bot: Self.bot, userID: user, isCommand: false, button: button), policy: policy)
            }
            #expect(try await press(1, "10:f:1:ok") == .allowed)
            #expect(try await press(1, "10:f:1:ok") == .repeatedPress)
            #expect(try await press(1, "11:f:1:ok") == .allowed)
            #expect(try await press(2, "10:f:1:ok") == .allowed)
            try await Task.sleep(for: .milliseconds(450))
            #expect(try await press(1, "10:f:1:ok") == .allowed)
            // Three counted for user 1 (the repeat was not): the fourth trips the limit.
            #expect(try await press(1, "12:f:1:ok") == .notify)
        }
    }

    @Test("Redis keys carry the user's private chat's hash tag and expire with their window", arguments: [Kind.redis, .redisPreloaded])
    func redisKeyExpiry(kind: Kind) async throws {
        try await Self.withStore(kind) { (subject: Subject) async throws in
            let policy = RateLimitPolicy(messagesPerMinute: 1, messagesPerHour: 100, commandsPerMinute: 100)
            _ = try await subject.store.record(RateLimitHit(bot: Self.bot, userID: 5, isCommand: true), policy: policy)
            _ = try await subject.store.record(RateLimitHit(bot: Self.bot, userID: 5, isCommand: false), policy: policy)
            let keys = RedisKeyspace(prefix: subject.prefix).user(5, of: Self.bot)
            #expect(keys.minuteCount.hasPrefix("{\(subject.prefix):uk:5}"))
            #expect(RedisKeyspace(prefix: subject.prefix).conversation("5", of: Self.bot).state.hasPrefix("{\(subject.prefix):uk:5}"))
            let client = try #require(subject.client)
            for (key, window) in [(keys.minuteCount, 60_000), (keys.hourCount, 3_600_000), (keys.commandCount, 60_000), (keys.limitNotice, 60_000)] {
                let ttl = try #require(try await client.send(["PTTL", .string(key)]).int)
                #expect(ttl > 0 && ttl <= window, "\(key) has PTTL \(ttl)")
            }
        }
    }

    @Test("in memory: windows end, counting starts again and the user is told again next time")
    func memoryWindowsEnd() async throws {
        let clock = Mutex(ContinuousClock.now)
        let store = InMemoryRateLimitStore(now: { clock.withLock { $0 } })
        let policy = RateLimitPolicy(messagesPerMinute: 1, messagesPerHour: 100, commandsPerMinute: 100)
        let hit = RateLimitHit(bot: Self.bot, userID: 1, isCommand: false)
        #expect(try await store.record(hit, policy: policy) == .allowed)
        #expect(try await store.record(hit, policy: policy) == .notify)
        clock.withLock { $0 += .seconds(59) }
        #expect(try await store.record(hit, policy: policy) == .silent)
        clock.withLock { $0 += .seconds(2) }
        #expect(try await store.record(hit, policy: policy) == .allowed)
        #expect(try await store.record(hit, policy: policy) == .notify)
    }
}
