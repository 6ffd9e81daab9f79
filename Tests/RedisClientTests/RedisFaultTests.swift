import GatewayTestSupport
import RedisClient
import Synchronization
import Testing

/// Faults on a private server: dropped connections, restarts, a stalled
/// server. The promise under test: nothing hangs, in-flight commands fail
/// fast with a clear code, and later commands succeed once Redis is back.
@Suite(.serialized) struct RedisFaultTests {
    /// Counts outcomes of a background load, and the slowest command seen.
    final class LoadTally: Sendable {
        let successes = Atomic<Int>(0)
        let failures = Mutex<[RedisError.Code: Int]>([:])
        let slowestMilliseconds = Atomic<Int>(0)
        let stopped = Atomic<Bool>(false)

        func stop() { stopped.store(true, ordering: .relaxed) }

        func record(_ result: Result<RedisValue, any Error>, took: Duration) {
            let milliseconds = Int(took.components.seconds * 1_000 + took.components.attoseconds / 1_000_000_000_000_000)
            _ = slowestMilliseconds.max(milliseconds, ordering: .relaxed)
            switch result {
            case .success: successes.add(1, ordering: .relaxed)
            case .failure(let error):
                let code = (error as? RedisError)?.code ?? .protocolError
                failures.withLock { $0[code, default: 0] += 1 }
            }
        }

        var failureCodes: Set<RedisError.Code> { failures.withLock { Set($0.keys) } }
    }

    static func runLoad(_ redis: RedisClient, tasks: Int, tally: LoadTally) async {
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    let clock = ContinuousClock()
                    while !tally.stopped.load(ordering: .relaxed) {
                        let start = clock.now
                        let result: Result<RedisValue, any Error>
                        do {
                            result = .success(try await redis.send("INCR", .string("fault:\(task)")))
                        } catch {
                            result = .failure(error)
                        }
                        tally.record(result, took: clock.now - start)
                        if case .failure = result { try? await Task.sleep(for: .milliseconds(5)) }
                    }
                }
            }
        }
    }

    @Test func killedConnectionsFailInFlightCommandsAndThePoolRecovers() async throws {
        let server = try RedisTestServer()
        var configuration = server.configuration
        configuration.poolSize = 3
        try await withRedisClient(configuration) { redis in
            await redis.connect()
            let tally = LoadTally()
            async let load: Void = Self.runLoad(redis, tasks: 20, tally: tally)
            try await Task.sleep(for: .milliseconds(300))
            let killed = try await RedisConnection.connect(configuration: configuration).send(
                "CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"
            )
            #expect((killed.int ?? 0) >= 3)
            try await Task.sleep(for: .milliseconds(700))
            let before = tally.successes.load(ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(300))
            tally.stop()
            await load

            #expect(tally.failureCodes.isSubset(of: [.connectionClosed, .connectionUnavailable]))
            #expect(tally.successes.load(ordering: .relaxed) > before, "commands succeed again after the kill")
            // A hung command would wait out the 5 s command timeout.
            #expect(tally.slowestMilliseconds.load(ordering: .relaxed) < 4_000, "no command hung")
            #expect(try await redis.send("PING") == .simpleString("PONG"))
        }
    }

    /// The pool's connections other than `admin`, as id and last command.
    static func poolConnections(_ admin: RedisConnection) async throws -> [(id: Int, command: String)] {
        let own = try #require(try await admin.send("CLIENT", "ID").int)
        let list = try #require(try await admin.send("CLIENT", "LIST").string)
        return list.split(separator: "\n").compactMap { line in
            var fields: [Substring: Substring] = [:]
            for field in line.split(separator: " ") {
                guard let equals = field.firstIndex(of: "=") else { continue }
                fields[field[..<equals]] = field[field.index(after: equals)...]
            }
            guard let id = fields["id"].flatMap({ Int($0) }), id != own, let command = fields["cmd"] else { return nil }
            return (id, String(command))
        }
    }

    /// Commands are pipelined on one connection while the others stand by;
    /// when it drops and cannot be reopened (the password changed meanwhile),
    /// a standby carries them at once, and the first takes them back when it
    /// is open again.
    @Test func oneConnectionCarriesTheCommandsAndAStandbyTakesOver() async throws {
        let server = try RedisTestServer(extraArguments: ["--requirepass", "first"])
        var configuration = server.configuration
        configuration.password = "first"
        configuration.poolSize = 3
        configuration.reconnectBackoff = .milliseconds(20)
        configuration.maxReconnectBackoff = .milliseconds(100)
        let admin = try await RedisConnection.connect(configuration: configuration)
        try await withRedisClient(configuration) { redis in
            await redis.connect()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for task in 0..<200 { group.addTask { _ = try await redis.send("INCR", .string("carry:\(task % 7)")) } }
                try await group.waitForAll()
            }
            let before = try await Self.poolConnections(admin)
            #expect(before.count == 3)
            #expect(before.filter { $0.command == "incr" }.count == 1, "one connection carried every command: \(before)")
            #expect(before.filter { $0.command == "auth" }.count == 2, "the others only authenticated: \(before)")
            let carrier = try #require(before.first { $0.command == "incr" }).id

            _ = try await admin.send("CONFIG", "SET", "requirepass", "second")
            _ = try await admin.send("AUTH", "second")
            #expect(try await admin.send("CLIENT", "KILL", "ID", .integer(carrier)).int == 1)
            // A command may still meet the killed connection before its close is seen.
            var first: RedisValue?
            for _ in 0..<100 where first == nil {
                do {
                    first = try await redis.send("INCR", "carry:after")
                } catch let error as RedisError {
                    #expect(error.code == .connectionClosed)
                }
            }
            #expect(first != nil)
            for _ in 0..<50 { _ = try await redis.send("INCR", "carry:after") }
            let during = try await Self.poolConnections(admin)
            #expect(during.count == 2, "the dropped connection cannot reopen with the old password: \(during)")
            #expect(during.filter { $0.command == "incr" }.count == 1, "a standby carries the commands: \(during)")

            _ = try await admin.send("CONFIG", "SET", "requirepass", "first")
            var reopened: [(id: Int, command: String)] = []
            for _ in 0..<100 where reopened.count < 3 {
                try await Task.sleep(for: .milliseconds(30))
                reopened = try await Self.poolConnections(admin)
            }
            #expect(reopened.count == 3, "the dropped connection reopened: \(reopened)")
            for _ in 0..<50 { _ = try await redis.send("INCR", "carry:back") }
            let back = try await Self.poolConnections(admin)
            let newcomer = back.filter { connection in !during.contains { $0.id == connection.id } }
            #expect(newcomer.count == 1 && newcomer.first?.command == "incr", "the first connection carries again: \(back)")
        }
        await admin.close()
    }

    @Test func serverRestartFailsFastThenRecovers() async throws {
        let server = try RedisTestServer()
        var configuration = server.configuration
        configuration.poolSize = 2
        configuration.connectTimeout = .seconds(1)
        configuration.maxReconnectBackoff = .milliseconds(200)
        try await withRedisClient(configuration) { redis in
            await redis.connect()
            let tally = LoadTally()
            async let load: Void = Self.runLoad(redis, tasks: 10, tally: tally)
            try await Task.sleep(for: .milliseconds(200))
            server.stop()

            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: RedisError.self) { try await redis.send("PING") }
            #expect(clock.now - start < .seconds(3), "a command while Redis is down fails, not hangs")
            #expect(error.map { [.connectionUnavailable, .connectFailed, .connectionClosed].contains($0.code) } == true)

            try await Task.sleep(for: .milliseconds(300))
            try server.start()
            var recovered = false
            for _ in 0..<50 where !recovered {
                recovered = (try? await redis.send("PING")) == .simpleString("PONG")
                if !recovered { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(recovered, "commands succeed after the restart")
            let before = tally.successes.load(ordering: .relaxed)
            try await Task.sleep(for: .milliseconds(300))
            tally.stop()
            await load
            #expect(tally.successes.load(ordering: .relaxed) > before)
            #expect(tally.slowestMilliseconds.load(ordering: .relaxed) < 4_000, "no command hung")
        }
    }

    @Test func commandTimesOutAgainstAPausedServer() async throws {
        let server = try RedisTestServer()
        var configuration = server.configuration
        configuration.commandTimeout = .milliseconds(300)
        try await withRedisClient(configuration) { redis in
            let sleeper = try await RedisConnection.connect(configuration: configuration)
            async let pause = sleeper.send(["DEBUG", "SLEEP", "1.5"], timeout: .seconds(5))
            try await Task.sleep(for: .milliseconds(100))

            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: RedisError.self) { try await redis.send("PING") }
            let waited = clock.now - start
            #expect(error?.code == .commandTimedOut)
            // The code alone proves the timer fired: after DEBUG SLEEP ends the
            // PING would succeed. The bound only checks it did not fire early.
            #expect(waited >= .milliseconds(250))

            _ = try await pause
            await sleeper.close()
            #expect(try await redis.send("PING") == .simpleString("PONG"))
        }
    }

    @Test func passwordAndDatabaseFromTheURL() async throws {
        let server = try RedisTestServer(extraArguments: ["--requirepass", "s3cr%t"])
        let good = try RedisConfiguration(url: "redis://:s3cr%25t@127.0.0.1:\(server.port)/3")
        try await withRedisClient(good) { redis in
            try await redis.send("SET", "where", "db3")
            let direct = try await RedisConnection.connect(configuration: good)
            try await direct.send("SELECT", 0)
            #expect(try await direct.send("GET", "where") == .null)
            await direct.close()
            #expect(try await redis.send("GET", "where").string == "db3")
        }

        let wrong = try RedisConfiguration(url: "redis://default:nope@127.0.0.1:\(server.port)")
        try await withRedisClient(wrong) { redis in
            let error = await #expect(throws: RedisError.self) { try await redis.send("PING") }
            #expect(error?.code == .connectFailed)
            #expect(error?.message.contains("WRONGPASS") == true)
            #expect(error?.message.contains("nope") == false, "the password never appears in an error")
        }
    }

    @Test func unreachableServerGivesOneClearError() async throws {
        // Port 1 is privileged and unused, unlike a freed port that another
        // test's server may take meanwhile.
        var configuration = RedisConfiguration(host: "127.0.0.1", port: 1)
        configuration.connectTimeout = .milliseconds(500)
        configuration.reconnectBackoff = .seconds(10)
        try await withRedisClient(configuration) { redis in
            let clock = ContinuousClock()
            let start = clock.now
            let error = await #expect(throws: RedisError.self) { try await redis.send("PING") }
            #expect(clock.now - start < .seconds(3), "a refused connection fails, not hangs")
            #expect(error?.code == .connectFailed)
            #expect(error?.message.contains("could not connect to Redis at 127.0.0.1:1") == true)
            // Once every slot's attempt has failed and the pool backs off,
            // commands fail at once instead of queueing.
            await redis.connect()
            let again = await #expect(throws: RedisError.self) { try await redis.send("PING") }
            #expect(again?.code == .connectionUnavailable)
        }
    }
}

@Suite struct RedisURLTests {
    @Test func parsesEveryPart() throws {
        let full = try RedisConfiguration(url: "redis://alice:p%40ss@cache.internal:6380/2")
        #expect(full.host == "cache.internal")
        #expect(full.port == 6380)
        #expect(full.username == "alice")
        #expect(full.password == "p@ss")
        #expect(full.database == 2)

        let plain = try RedisConfiguration(url: "redis://localhost")
        #expect(plain.host == "localhost" && plain.port == 6379 && plain.database == 0)
        #expect(plain.username == nil && plain.password == nil)

        let passwordOnly = try RedisConfiguration(url: "redis://:secret@127.0.0.1:7000/")
        #expect(passwordOnly.username == nil && passwordOnly.password == "secret" && passwordOnly.port == 7000)

        let ipv6 = try RedisConfiguration(url: "redis://[::1]:6390")
        #expect(ipv6.host == "::1" && ipv6.port == 6390)
    }

    @Test(arguments: [
        "http://localhost:6379",
        "redis://",
        "redis://host:port",
        "redis://host:70000",
        "redis://host:6379/db",
        "redis://host:6379/-1",
        "redis://user:bad%zzescape@host",
        "redis://[::1:6379",
        "localhost:6379",
    ])
    func rejectsMalformedURLs(_ url: String) {
        #expect(throws: RedisError.self) {
            try RedisConfiguration(url: url)
        }
        do {
            _ = try RedisConfiguration(url: url)
        } catch {
            #expect(error.code == .invalidURL)
            #expect(error.message.contains("expected redis://"))
        }
    }
}
