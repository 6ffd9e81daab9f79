import GatewayTestSupport
import RedisClient
import Testing

@Suite struct RedisCommandTests {
    @Test func everyReplyType() async throws {
        try await withRedisClient(TestRedis.configuration()) { redis in
            let key = uniqueKey("types")
            #expect(try await redis.send("SET", .string(key), "value") == .simpleString("OK"))
            #expect(try await redis.send("GET", .string(key)) == .bulkString(Array("value".utf8)))
            #expect(try await redis.send("GET", .string(key + ":missing")) == .null)
            #expect(try await redis.send("INCR", .string(key + ":n")) == .integer(1))
            try await redis.send("RPUSH", .string(key + ":list"), "a", "b", "c")
            let list = try await redis.send("LRANGE", .string(key + ":list"), 0, -1)
            #expect(list.array?.compactMap(\.string) == ["a", "b", "c"])
            #expect(try await redis.send("LRANGE", .string(key + ":none"), 0, -1) == .array([]))
            let nested = try await redis.send("EVAL", "return {1, {'x', 2}, false}", 0)
            #expect(nested == .array([.integer(1), .array([.bulkString(Array("x".utf8)), .integer(2)]), .null]))
            try await redis.send("DEL", .string(key), .string(key + ":n"), .string(key + ":list"))
        }
    }

    @Test func serverErrorIsThrownWithTheServersMessage() async throws {
        try await withRedisClient(TestRedis.configuration()) { redis in
            let key = uniqueKey("wrongtype")
            try await redis.send("SET", .string(key), "text")
            let error = await #expect(throws: RedisError.self) {
                try await redis.send("LPUSH", .string(key), "x")
            }
            #expect(error?.code == .server)
            #expect(error?.serverErrorPrefix == "WRONGTYPE")
            #expect(error?.message.contains("wrong kind of value") == true)
            // The connection stays usable after an error reply.
            #expect(try await redis.send("GET", .string(key)).string == "text")
            try await redis.send("DEL", .string(key))
        }
    }

    @Test func binaryAndLargeValuesRoundTrip() async throws {
        try await withRedisClient(TestRedis.configuration()) { redis in
            let key = uniqueKey("binary")
            let binary: [UInt8] = [0, 13, 10, 255, 0, 36, 42, 13, 10]
            try await redis.send("SET", .string(key), .bytes(binary))
            #expect(try await redis.send("GET", .string(key)).bytes == binary)
            try await redis.send("SET", .string(key), "")
            #expect(try await redis.send("GET", .string(key)) == .bulkString([]))
            let large = (0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try await redis.send("SET", .string(key), .bytes(large))
            #expect(try await redis.send("GET", .string(key)).bytes == large)
            let cyrillic = "Заявка №981 — ёлка 🎄"
            try await redis.send("SET", .string(key), .string(cyrillic))
            #expect(try await redis.send("GET", .string(key)).string == cyrillic)
            try await redis.send("DEL", .string(key))
        }
    }

    @Test func manyConcurrentPipelinedCommandsEachGetTheirOwnReply() async throws {
        let tasks = 50
        let perTask = 2_000
        let prefix = uniqueKey("load")
        try await withRedisClient(TestRedis.configuration()) { redis in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for task in 0..<tasks {
                    group.addTask {
                        let key = RedisArgument.string("\(prefix):\(task)")
                        var checked = 0
                        for step in 1...perTask {
                            // Every reply carries the value only this command could see.
                            let value = try await redis.send("INCRBY", key, .integer(task + 1))
                            if value == .integer(Int64(step * (task + 1))) { checked += 1 }
                        }
                        return checked
                    }
                }
                var total = 0
                for try await checked in group { total += checked }
                #expect(total == tasks * perTask)
            }
            let keys = (0..<tasks).map { RedisArgument.string("\(prefix):\($0)") }
            try await redis.send(["DEL"] + keys)
        }
    }

    @Test func pipelineReturnsEachReplyInOrderWithErrorsInPlace() async throws {
        try await withRedisClient(TestRedis.configuration()) { redis in
            let key = uniqueKey("pipeline")
            let replies = try await redis.pipeline([
                ["SET", .string(key), "1"],
                ["INCR", .string(key)],
                ["LPUSH", .string(key), "x"],
                ["GET", .string(key)],
            ])
            #expect(replies.count == 4)
            #expect(try replies[0].get() == .simpleString("OK"))
            #expect(try replies[1].get() == .integer(2))
            if case .failure(let error) = replies[2] {
                #expect(error.serverErrorPrefix == "WRONGTYPE")
            } else {
                Issue.record("LPUSH on a string should fail")
            }
            #expect(try replies[3].get().string == "2")
            try await redis.send("DEL", .string(key))
        }
    }

    @Test func transactionsRunAtomicallyAmongConcurrentCommands() async throws {
        try await withRedisClient(TestRedis.configuration()) { redis in
            let key = uniqueKey("multi")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        for _ in 0..<50 {
                            let results = try await redis.transaction([
                                ["INCR", .string(key)],
                                ["INCR", .string(key)],
                            ])
                            // Nothing may land between the two increments.
                            guard case .integer(let first) = results[0], case .integer(let second) = results[1] else {
                                Issue.record("unexpected EXEC results \(results)")
                                return
                            }
                            #expect(second == first + 1)
                            #expect(first % 2 == 1)
                        }
                    }
                    group.addTask {
                        for _ in 0..<50 { try await redis.send("GET", .string(key)) }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await redis.send("GET", .string(key)).int == 2_000)

            try await redis.send("SET", .string(key), "text")
            let mixed = try await redis.transaction([["SET", .string(key + ":b"), "1"], ["INCR", .string(key)]])
            #expect(mixed[0] == .simpleString("OK"))
            guard case .error(let message) = mixed[1] else {
                Issue.record("INCR on text should fail inside EXEC")
                return
            }
            #expect(message.contains("not an integer"))

            let error = await #expect(throws: RedisError.self) {
                try await redis.transaction([["SET", .string(key), "2"], ["NOSUCHCOMMAND"]])
            }
            #expect(error?.message.contains("transaction discarded") == true)
            #expect(try await redis.send("GET", .string(key)).string == "text")
            try await redis.send("DEL", .string(key), .string(key + ":b"))
        }
    }

    @Test func watchedKeyChangeAbortsATransaction() async throws {
        let configuration = try TestRedis.configuration()
        try await withRedisClient(configuration) { redis in
            let key = uniqueKey("watch")
            let error = await #expect(throws: RedisError.self) {
                try await redis.withDedicatedConnection { connection in
                    try await connection.send("WATCH", .string(key))
                    try await redis.send("SET", .string(key), "changed elsewhere")
                    return try await connection.transaction([["SET", .string(key), "mine"]])
                }
            }
            #expect(error?.code == .transactionAborted)
            #expect(try await redis.send("GET", .string(key)).string == "changed elsewhere")
            try await redis.send("DEL", .string(key))
        }
    }

    @Test func scriptsRunBySHAAndReloadAfterFlush() async throws {
        try await withRedisClient(TestRedis.configuration()) { redis in
            let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
            let loaded = try await redis.send("SCRIPT", "LOAD", .string(script.source))
            #expect(loaded.string == script.sha1)

            let key = uniqueKey("script")
            #expect(try await redis.evaluate(script, keys: [.string(key)], arguments: [5]) == .integer(5))
            try await redis.send("SCRIPT", "FLUSH")
            #expect(try await redis.evaluate(script, keys: [.string(key)], arguments: [2]) == .integer(7))

            let failing = RedisScript("return redis.error_reply('NOPE this script refuses')")
            let error = await #expect(throws: RedisError.self) { try await redis.evaluate(failing) }
            #expect(error?.serverErrorPrefix == "NOPE")
            try await redis.send("DEL", .string(key))
        }
    }

    @Test func aScriptAfterCommandsRunsInOneRoundTripAndSurvivesAFlush() async throws {
        try await withRedisClient(TestRedis.configuration()) { redis in
            let script = RedisScript("return redis.call('GET', KEYS[1]) .. ARGV[1]")
            let key = uniqueKey("after")
            try await redis.send("SCRIPT", "FLUSH")
            // Unknown to Redis: the SET still ran, the script is loaded and run again.
            let first = try await redis.evaluate(after: [["SET", .string(key), "a"]], script, keys: [.string(key)], arguments: ["!"])
            #expect(first.string == "a!")
            let second = try await redis.evaluate(after: [["APPEND", .string(key), "b"]], script, keys: [.string(key)], arguments: ["?"])
            #expect(second.string == "ab?")
            // An error among the commands is thrown, even though the script ran.
            let error = await #expect(throws: RedisError.self) {
                try await redis.evaluate(after: [["INCR", .string(key)]], script, keys: [.string(key)], arguments: ["."])
            }
            #expect(error?.code == .server)
            try await redis.send("DEL", .string(key))
        }
    }

    @Test func sha1MatchesKnownVectors() {
        #expect(RedisScript("abc").sha1 == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(RedisScript("").sha1 == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        let long = String(repeating: "a", count: 1_000)
        #expect(RedisScript(long).sha1 == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
        // Lengths around the 56-byte padding boundary.
        #expect(RedisScript(String(repeating: "a", count: 55)).sha1 == "c1c8bbdc22796e28c0e15163d20899b65621d65a")
        #expect(RedisScript(String(repeating: "a", count: 56)).sha1 == "c2db330f6083854c99d4b5bfb6e8f29f201be699")
        #expect(RedisScript(String(repeating: "a", count: 64)).sha1 == "0098ba824b5c16427bd7a1122a5a442a25ec644d")
    }

    @Test func blockingCommandOnADedicatedConnectionDoesNotStallThePool() async throws {
        try await withRedisClient(TestRedis.configuration()) { redis in
            let source = uniqueKey("blmove:src")
            let target = uniqueKey("blmove:dst")
            async let moved = redis.withDedicatedConnection { connection in
                try await connection.send(
                    ["BLMOVE", .string(source), .string(target), "LEFT", "RIGHT", 30],
                    timeout: .seconds(35)
                )
            }
            // Pooled commands complete while BLMOVE is still blocked: were the
            // pool stalled behind it, they could not finish before the push
            // below, and BLMOVE would time out with nothing.
            for _ in 0..<100 { try await redis.send("PING") }
            try await redis.send("RPUSH", .string(source), "job-1")
            #expect(try await moved.string == "job-1")
            #expect(try await redis.send("LRANGE", .string(target), 0, -1).array?.compactMap(\.string) == ["job-1"])
            try await redis.send("DEL", .string(source), .string(target))
        }
    }
}
