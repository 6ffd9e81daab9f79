import Foundation
import Gateway
import GatewayTestSupport
import Logging
import RedisClient
import Synchronization
import TelegramBotAPI
#if canImport(Glibc)
import Glibc
#endif

/// Shared helpers of the durable pipeline tests: the Redis the test command
/// started, updates with a sequence number, and a recorder of handled steps.
enum DurableTests {
    static let bot = BotID("test")

    static let logger: Logger = {
        var logger = Logger(label: "durable-tests")
        logger.logLevel = .error
        return logger
    }()

    static func sharedRedis() throws -> RedisConfiguration {
        guard let url = ProcessInfo.processInfo.environment["REDIS_URL"] else {
            throw DurableTestError("REDIS_URL is not set: run ./scripts/test.sh, or export REDIS_URL=redis://127.0.0.1:6379")
        }
        return try RedisConfiguration(url: url)
    }

    /// A configuration under a fresh key prefix, so tests sharing a server never collide.
    static func pipeline(
        leaseTimeout: Duration = .seconds(15),
        cap: Int = 1000,
        concurrency: Int = 8
    ) -> DurablePipelineConfiguration {
        DurablePipelineConfiguration(
            keyPrefix: "test-\(UUID().uuidString.prefix(8))",
            leaseTimeout: leaseTimeout,
            conversationCap: cap,
            concurrency: concurrency,
            pollTimeout: .milliseconds(200),
            sweepInterval: .milliseconds(100),
            outboxPollInterval: .milliseconds(20),
            outboxRetryDelay: .milliseconds(200)
        )
    }

    /// A private-chat text message whose text is the sequence number `sequence`.
    static func update(id: Int, chat: Int64, sequence: Int) throws -> (Update, [UInt8]) {
        let raw = Array("""
            {"update_id":\(id),"message":{"message_id":\(id),"date":1700000000,\
            "chat":{"id":\(chat),"type":"private","first_name":"U"},\
            "from":{"id":\(chat),"is_bot":false,"first_name":"U"},"text":"\(sequence)"}}
            """.utf8)
        return (try Update.decode(from: raw), raw)
    }

    /// Polls `condition` until it holds or `timeout` passes.
    static func eventually(timeout: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}

struct DurableTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// What handlers saw: per conversation the sequence numbers in the order they
/// were handled, and how often each update was handled.
final class StepRecorder: Sendable {
    private struct State {
        var sequences: [Int64: [Int]] = [:]
        var counts: [Int: Int] = [:]
    }

    private let state = Mutex(State())

    func record(_ item: InboxItem) {
        guard case .message(let message) = item.delivery.update.kind, let sequence = message.text.flatMap({ Int($0) }) else { return }
        self.state.withLock { state in
            state.sequences[message.chat.id, default: []].append(sequence)
            state.counts[item.delivery.update.updateID, default: 0] += 1
        }
    }

    var handledCount: Int { self.state.withLock { $0.counts.count } }
    var sequences: [Int64: [Int]] { self.state.withLock { $0.sequences } }
    var counts: [Int: Int] { self.state.withLock { $0.counts } }
}

/// A private redis-server with AOF on every write, for the restart test;
/// data in a temp folder, stopped by PID.
final class PrivateRedisServer: @unchecked Sendable {
    let port: Int
    private let directory: URL
    private var process: Process?

    init() throws {
        self.port = try LocalPort.free()
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("durable-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var configuration: RedisConfiguration {
        RedisConfiguration(host: "127.0.0.1", port: port, commandTimeout: .seconds(2), maxReconnectBackoff: .milliseconds(200))
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["REDIS_SERVER_BIN"] ?? "/usr/bin/redis-server")
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--dir", directory.path,
            "--save", "", "--appendonly", "yes", "--appendfsync", "always",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        for _ in 0..<250 {
            if LocalPort.accepts(port) { return }
            usleep(20_000)
        }
        throw DurableTestError("redis-server did not start on port \(port)")
    }

    /// Kills the server at once, as a crash would.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }
}
