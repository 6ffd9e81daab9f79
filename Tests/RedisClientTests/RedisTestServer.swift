import Foundation
import GatewayTestSupport
import Logging
import RedisClient
#if canImport(Glibc)
import Glibc
#endif

/// A private redis-server process for tests that restart, pause or
/// reconfigure the server. Data lives in a temp folder; stopped by PID.
final class RedisTestServer: @unchecked Sendable {
    let port: Int
    private let directory: URL
    private let extraArguments: [String]
    private var process: Process?

    init(extraArguments: [String] = []) throws {
        self.port = try LocalPort.free()
        self.directory = FileManager.default.temporaryDirectory.appendingPathComponent("redis-test-\(UUID().uuidString)")
        self.extraArguments = extraArguments
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    var configuration: RedisConfiguration {
        RedisConfiguration(host: "127.0.0.1", port: port)
    }

    func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary())
        process.arguments = [
            "--port", String(port), "--bind", "127.0.0.1", "--dir", directory.path,
            "--save", "", "--appendonly", "no", "--enable-debug-command", "local",
        ] + extraArguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        try waitUntilAccepting()
    }

    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    private func waitUntilAccepting() throws {
        for _ in 0..<200 {
            if LocalPort.accepts(port) { return }
            usleep(20_000)
        }
        throw TestSupportError("redis-server did not start on port \(port)")
    }

    private static func binary() -> String {
        ProcessInfo.processInfo.environment["REDIS_SERVER_BIN"] ?? "/usr/bin/redis-server"
    }
}

/// A key unique to one test run, so tests sharing a server never collide.
func uniqueKey(_ name: String) -> String {
    "test:\(name):\(UUID().uuidString)"
}
