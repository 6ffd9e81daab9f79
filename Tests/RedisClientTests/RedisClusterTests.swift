import Foundation
import GatewayTestSupport
import RedisClient
import Testing

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// The client on a real Redis Cluster (three primaries, three replicas) the
/// tests start themselves, one per test, on loopback ports.
@Suite(.serialized) struct RedisClusterTests {
    @Test("commands, pipelines, scripts and a blocking pop on a cluster, each routed to its slot's primary")
    func commandsPipelinesAndScripts() async throws {
        let cluster = try await TestRedisCluster()
        try await withRedisClient(cluster.configuration) { redis in
            #expect(redis.isCluster)
            // Keys spread over every primary.
            let keys = (0..<60).map { "key-\($0)" }
            #expect(Set(keys.map(HashSlot.of)).count > 50)
            for (index, key) in keys.enumerated() { try await redis.send("SET", .string(key), .integer(index)) }
            for (index, key) in keys.enumerated() { #expect(try await redis.send("GET", .string(key)).int == index) }

            // A pipeline over every node comes back in order, errors in place.
            var commands: [[RedisArgument]] = keys.map { ["INCR", .string($0)] }
            commands.insert(["LPUSH", .string(keys[3]), "x"], at: 10)
            let replies = try await redis.pipeline(commands)
            #expect(replies.count == commands.count)
            #expect(try replies[0].get().int == 1 && replies[59 + 1].get().int == 60)
            if case .failure(let error) = replies[10] { #expect(error.serverErrorPrefix == "WRONGTYPE") } else { Issue.record("no WRONGTYPE") }

            // Scripts are loaded on the node that lacks them (NOSCRIPT → load → run).
            let script = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1]) + redis.call('INCRBY', KEYS[2], ARGV[1])")
            for tag in ["a", "b", "c", "d", "e", "f"] {
                let reply = try await redis.evaluate(script, keys: [.string("{\(tag)}one"), .string("{\(tag)}two")], arguments: [5])
                #expect(reply.int == 10)
                let after = try await redis.evaluate(after: [["SET", .string("{\(tag)}one"), 1]], script, keys: [.string("{\(tag)}one"), .string("{\(tag)}two")], arguments: [1])
                #expect(after.int == 2 + 6)
            }

            // Keys in two slots: refused before anything is sent.
            let error = await #expect(throws: RedisError.self) {
                try await redis.send("MSET", "foo", "1", "bar", "2")
            }
            #expect(error?.code == .crossSlot && error?.message.contains("foo") == true)
            #expect(try await redis.send("GET", "foo") == .null)

            // A blocking pop waits on the primary of its key's slot.
            let queue = RedisArgument.string("{queue}ready")
            let popped = Task {
                try await redis.withDedicatedConnection(routingKey: queue) { connection in
                    try await connection.send(["BZPOPMIN", queue, "5"], timeout: .seconds(8))
                }
            }
            try await Task.sleep(for: .milliseconds(200))
            try await redis.send("ZADD", queue, 1, "conversation")
            #expect(try await popped.value.array?[1].string == "conversation")
        }
    }

    @Test("slots resharded while traffic runs: MOVED and ASK are followed and no increment is lost or doubled")
    func reshardUnderTraffic() async throws {
        let cluster = try await TestRedisCluster()
        try await withRedisClient(cluster.configuration) { redis in
            let keys = (0..<200).map { "{k\($0)}counter" }
            let acknowledged = Locked([Int](repeating: 0, count: keys.count))
            let failures = Locked([String]())
            let stop = Locked(false)
            let traffic = Task {
                await withTaskGroup(of: Void.self) { group in
                    for worker in 0..<8 {
                        group.addTask {
                            var index = worker
                            while !stop.withLock({ $0 }) {
                                do {
                                    _ = try await redis.send("INCR", .string(keys[index]))
                                    acknowledged.withLock { $0[index] += 1 }
                                } catch {
                                    failures.withLock { $0.append("\(error)") }
                                }
                                index = (index + 8) % keys.count
                            }
                        }
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(300))
            let owners = try await keys.asyncMap { try await cluster.primary(forSlot: HashSlot.of($0)) }
            let from = try await cluster.primary(forSlot: HashSlot.of("k0"))
            let to = try await cluster.primary(forSlot: (HashSlot.of("k0") + 8192) % HashSlot.count)
            try #require(from != to)
            try await cluster.cli(from, [
                "--cluster", "reshard", from.description, "--cluster-from", try await cluster.id(of: from),
                "--cluster-to", try await cluster.id(of: to), "--cluster-slots", "1500", "--cluster-yes",
            ])
            try await Task.sleep(for: .milliseconds(300))
            stop.withLock { $0 = true }
            await traffic.value
            #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { Array($0.prefix(5)) })")
            let moved = try await keys.asyncMap { try await cluster.primary(forSlot: HashSlot.of($0)) }
            #expect(zip(owners, moved).contains { $0 != $1 }, "some of the keys' slots moved")
            let counts = acknowledged.withLock { $0 }
            for (index, key) in keys.enumerated() {
                #expect(try await redis.send("GET", .string(key)).int ?? 0 == counts[index], "\(key)")
            }
        }
    }

    @Test("a primary killed while traffic runs: commands to its slots fail fast, its replica takes over, acknowledged writes are there")
    func primaryKilled() async throws {
        let cluster = try await TestRedisCluster()
        var configuration = cluster.configuration
        configuration.commandTimeout = .seconds(2)
        try await withRedisClient(configuration) { redis in
            let key = "{victim}list"
            let victim = try await cluster.primary(forSlot: HashSlot.of("victim"))
            let acknowledged = Locked([(value: Int, at: ContinuousClock.Instant)]())
            let failures = Locked(0)
            let stop = Locked(false)
            let writer = Task {
                var value = 0
                while !stop.withLock({ $0 }) {
                    do {
                        _ = try await redis.send("RPUSH", .string(key), .integer(value))
                        acknowledged.withLock { $0.append((value, .now)) }
                    } catch let error as RedisError {
                        #expect([.connectionUnavailable, .connectionClosed, .connectFailed, .commandTimedOut].contains(error.code), "\(error)")
                        failures.withLock { $0 += 1 }
                        try? await Task.sleep(for: .milliseconds(20))
                    } catch {
                        Issue.record("\(error)")
                    }
                    value += 1
                }
            }
            try await Task.sleep(for: .milliseconds(1500))
            let killedAt = ContinuousClock.now
            cluster.kill(victim)
            try await waitUntil("a replica serves the slot", timeout: .seconds(30)) {
                (try? await cluster.primary(forSlot: HashSlot.of("victim"))).map { $0 != victim } ?? false
            }
            // Writes succeed again through the promoted replica.
            let resumed = acknowledged.withLock { $0.count }
            try await waitUntil("writes resume", timeout: .seconds(20)) { acknowledged.withLock { $0.count } > resumed + 20 }
            stop.withLock { $0 = true }
            await writer.value
            #expect(failures.withLock { $0 } > 0, "the outage was seen")
            let stored = Set(try await redis.send("LRANGE", .string(key), 0, -1).array?.compactMap(\.int) ?? [])
            let writes = acknowledged.withLock { $0 }
            // Replication is asynchronous: a write acknowledged just before the
            // kill may not have reached the replica. Older ones must be there.
            let settled = writes.filter { $0.at < killedAt - .seconds(1) }.map(\.value)
            let settledLost = settled.filter { !stored.contains($0) }
            #expect(!settled.isEmpty && settledLost.isEmpty, "lost: \(settledLost)")
            let recent = writes.filter { $0.at >= killedAt - .seconds(1) && $0.at <= killedAt }.map(\.value)
            print("cluster failover: \(recent.count) writes acknowledged in the second before the kill, \(recent.filter { !stored.contains($0) }.count) of them lost")
            let afterFailover = writes.filter { $0.at > killedAt }.map(\.value)
            let lostAfter = afterFailover.filter { !stored.contains($0) }
            #expect(lostAfter.isEmpty, "lost: \(lostAfter)")
        }
    }
}
