import Foundation
@testable import Gateway
import GatewayTestSupport
import RedisClient
import Testing

/// The durable scripts run one at a time against a real Redis, each reply and
/// each key checked: the pipeline's tests see their effects through the
/// dispatcher and the relay, these pin the branches a change to a script's
/// commands could move (a claim refused, a preloaded key absent, a long batch
/// of replies, the sent list's length).
@Suite("Durable pipeline: the scripts' replies and keys, branch by branch")
struct DurableScriptTests {
    /// One conversation's keys under a prefix of its own.
    struct Keys {
        let tag = "{script-test-\(UUID().uuidString.prefix(8))}"
        var queue: String { tag + ":q" }
        var seen: String { tag + ":seen" }
        var lease: String { tag + ":lease" }
        var state: String { tag + ":state" }
        var attempts: String { tag + ":attempts" }
        var error: String { tag + ":error" }
        var outbox: String { tag + ":out" }
        var outboxLease: String { tag + ":outlease" }
        var sent: String { tag + ":sent" }
        var present: String { tag + ":present" }
        var absent: String { tag + ":absent" }
    }

    static func withRedis(_ body: (RedisClient, Keys) async throws -> Void) async throws {
        try await withRedisClient(try DurableTests.sharedRedis()) { try await body($0, Keys()) }
    }

    static func append(_ redis: RedisClient, _ keys: Keys, id: Int, token: String) async throws -> RedisValue {
        try await redis.evaluate(
            DurableScripts.append,
            keys: [keys.queue, keys.seen, keys.lease, keys.state, keys.attempts, keys.present, keys.absent].map { .string($0) },
            arguments: [.string("{\"update_id\":\(id)}"), 1000, 86400, .string(token), 15000, .integer(id)]
        )
    }

    @Test("append: the first update leases with the state and each preloaded key (PTTL -2 when absent); later ones queue; without a token the lease becomes ready")
    func append() async throws {
        try await Self.withRedis { redis, keys in
            try await redis.send("SET", .string(keys.state), "saved")
            try await redis.send("SET", .string(keys.present), "7", "PX", "60000")
            let first = try #require(try await Self.append(redis, keys, id: 10, token: "me|1|1").array)
            #expect(first.count == 3 && first[0].int == 3 && first[1].string == "saved")
            let preloaded = try #require(first[2].array)
            #expect(preloaded.count == 4)
            #expect(preloaded[0].string == "7" && (1...60000).contains(preloaded[1].int ?? 0))
            #expect(preloaded[2].isNull && preloaded[3].int == -2)
            #expect(try await redis.send("GET", .string(keys.lease)).string == "me|1|1")
            #expect(try await redis.send("GET", .string(keys.attempts)).string == "1")

            #expect(try await Self.append(redis, keys, id: 11, token: "me|1|2").int == 1, "leased: queued behind the head")
            #expect(try await Self.append(redis, keys, id: 11, token: "me|1|2").int == 0, "a redelivery")
            #expect(try await redis.send("LLEN", .string(keys.queue)).int == 2)

            try await redis.send("DEL", .string(keys.lease))
            #expect(try await Self.append(redis, keys, id: 12, token: "").int == 2, "idle, no token: made ready")
            #expect(try await redis.send("GET", .string(keys.lease)).string == "ready")
            #expect(try await Self.append(redis, keys, id: 13, token: "").int == 1, "already ready")

            try await redis.send("DEL", .string(keys.lease))
            #expect(try await Self.append(redis, keys, id: 14, token: "me|1|3").int == 2, "idle but not empty: no lease, made ready")
            #expect(try await redis.send("GET", .string(keys.lease)).string == "ready")
        }
    }

    @Test("requeue: made ready when idle, left alone when held")
    func requeue() async throws {
        try await Self.withRedis { redis, keys in
            let call: @Sendable () async throws -> RedisValue = {
                try await redis.evaluate(DurableScripts.requeue, keys: [.string(keys.queue), .string(keys.lease)], arguments: ["{}"])
            }
            #expect(try await call().int == 2)
            #expect(try await redis.send("GET", .string(keys.lease)).string == "ready")
            try await redis.send("SET", .string(keys.lease), "other|1|1")
            #expect(try await call().int == 1)
            #expect(try await redis.send("GET", .string(keys.lease)).string == "other|1|1")
            #expect(try await redis.send("LLEN", .string(keys.queue)).int == 2)
        }
    }

    @Test("lease: the head, the state, the last error and each preloaded key, with the attempt counted")
    func lease() async throws {
        try await Self.withRedis { redis, keys in
            try await redis.send("RPUSH", .string(keys.queue), "head", "next")
            try await redis.send("SET", .string(keys.error), "it broke")
            try await redis.send("SET", .string(keys.present), "p")
            let reply = try #require(try await redis.evaluate(
                DurableScripts.lease,
                keys: [keys.lease, keys.queue, keys.state, keys.attempts, keys.error, keys.present, keys.absent].map { .string($0) },
                arguments: ["me|1|1", 15000, 86400]
            ).array)
            #expect(reply.count == 6)
            #expect(reply[0].int == 2 && reply[1].string == "head" && reply[2].isNull)
            let preloaded = try #require(reply[3].array)
            #expect(preloaded.count == 4)
            #expect(preloaded[0].string == "p" && preloaded[1].int == -1, "present without a TTL")
            #expect(preloaded[2].isNull && preloaded[3].int == -2)
            #expect(reply[4].int == 1 && reply[5].string == "it broke")
        }
    }

    static func commit(_ redis: RedisClient, _ keys: Keys, token: String, claim: String, replies: [String]) async throws -> [RedisValue] {
        let arguments: [RedisArgument] = [.string(token), "keep", "", 3600, .string(claim), 60000, 0] + replies.map { .string($0) }
        return try #require(try await redis.evaluate(
            DurableScripts.commit,
            keys: [keys.lease, keys.queue, keys.state, keys.outbox, keys.outboxLease, keys.attempts, keys.error].map { .string($0) },
            arguments: arguments
        ).array)
    }

    @Test("commit: replies appended in order; the outbox claimed only when they are its only entries and nobody has it")
    func commitClaims() async throws {
        try await Self.withRedis { redis, keys in
            func step(_ replies: [String], claim: String = "relay|1|1") async throws -> [RedisValue] {
                try await redis.send("RPUSH", .string(keys.queue), "u")
                try await redis.send("SET", .string(keys.lease), "me|1|1")
                return try await Self.commit(redis, keys, token: "me|1|1", claim: claim, replies: replies)
            }
            #expect(try await step(["a", "b"]).map(\.int) == [0, 1], "empty outbox, no holder: claimed")
            #expect(try await redis.send("GET", .string(keys.outboxLease)).string == "relay|1|1")
            #expect(try await step(["c"]).map(\.int) == [0, 0], "in flight here already")
            try await redis.send("DEL", .string(keys.outboxLease))
            #expect(try await step(["d"]).map(\.int) == [0, 2], "older replies wait for a retry")
            #expect(try await redis.send("EXISTS", .string(keys.outboxLease)).int == 0)
            #expect(try await step(["e"], claim: "").map(\.int) == [0, 0], "no claim asked")
            #expect(try await redis.send("LRANGE", .string(keys.outbox), 0, -1).array?.compactMap(\.string) == ["a", "b", "c", "d", "e"])

            try await redis.send("DEL", .string(keys.outbox))
            try await redis.send("SET", .string(keys.outboxLease), "other|1|1")
            #expect(try await step(["f"]).map(\.int) == [0, 0], "empty outbox held by another relay")
            #expect(try await redis.send("GET", .string(keys.outboxLease)).string == "other|1|1")

            #expect(try await Self.commit(redis, keys, token: "stale|1|1", claim: "relay|1|1", replies: ["g"]).map(\.int) == [-1])
            #expect(try await redis.send("LLEN", .string(keys.outbox)).int == 1, "a lost lease writes nothing")
        }
    }

    @Test("commit: 2,500 replies in one step all land, in order, and the claim still sees an empty outbox before them")
    func commitManyReplies() async throws {
        try await Self.withRedis { redis, keys in
            try await redis.send("RPUSH", .string(keys.queue), "u", "v")
            try await redis.send("SET", .string(keys.lease), "me|1|1")
            let replies = (0..<2_500).map { "r\($0)" }
            #expect(try await Self.commit(redis, keys, token: "me|1|1", claim: "relay|1|1", replies: replies).map(\.int) == [1, 1])
            let stored = try await redis.send("LRANGE", .string(keys.outbox), 0, -1).array?.compactMap(\.string)
            #expect(stored == replies)
            #expect(try await redis.send("GET", .string(keys.lease)).string == "ready", "another update waits")
        }
    }

    @Test("settling keeps the newest 16 sent records; a claim that goes on but finds nothing ends with nothing left")
    func settle() async throws {
        try await Self.withRedis { redis, keys in
            try await redis.send("SET", .string(keys.outboxLease), "relay|1|1")
            try await redis.send("RPUSH", .string(keys.outbox), "x")
            for message in 1...20 {
                try await redis.send("RPUSH", .string(keys.outbox), "y")
                let reply = try await redis.evaluate(
                    DurableScripts.settleSomeReplies,
                    keys: [keys.outboxLease, keys.outbox, keys.sent].map { .string($0) },
                    arguments: ["relay|1|1", 60000, .string("sendMessage:\(message)"), 3600, 1]
                )
                #expect(reply.int == 1)
                let length = try await redis.send("LLEN", .string(keys.sent)).int
                #expect(length == min(message, 16))
            }
            let sent = try await redis.send("LRANGE", .string(keys.sent), 0, -1).array?.compactMap(\.string)
            #expect(sent == (5...20).reversed().map { "sendMessage:\($0)" })
            #expect(try await redis.send("TTL", .string(keys.sent)).int.map { $0 > 3000 } == true)

            func settle(done: Int, goOn: Bool, record: String) async throws -> [Int?] {
                try await redis.evaluate(
                    DurableScripts.settleReplies,
                    keys: [keys.outboxLease, keys.outbox, keys.sent].map { .string($0) },
                    arguments: ["relay|1|1", .integer(done), goOn ? "1" : "0", 60000, 16, .string(record), 3600]
                ).array?.map(\.int) ?? []
            }
            #expect(try await settle(done: 1, goOn: true, record: "sendMessage:21") == [1, 0], "nothing more: the claim ends")
            #expect(try await redis.send("EXISTS", .string(keys.outboxLease)).int == 0)
            #expect(try await redis.send("LLEN", .string(keys.sent)).int == 16)
            #expect(try await redis.send("LINDEX", .string(keys.sent), 0).string == "sendMessage:21")

            try await redis.send("SET", .string(keys.outboxLease), "relay|1|1")
            try await redis.send("RPUSH", .string(keys.outbox), "p", "q", "r")
            #expect(try await settle(done: 1, goOn: false, record: "") == [1, 2], "not going on: what is left is counted")
        }
    }
}
