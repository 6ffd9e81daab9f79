import Foundation
import GatewayTestSupport
import TelegramEmulator
import Testing

/// `GATEWAY_LISTENER_THREADS` and `GATEWAY_CLIENT_THREADS` size the real
/// process's event-loop groups; the threads are counted by name in `/proc`.
@Suite("Event-loop threads of bot-gateway serve", .serialized, .timeLimit(.minutes(2)))
struct EventLoopThreadsTests {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Thread names of a process, from `/proc/<pid>/task/*/comm`.
    static func threadNames(of pid: Int32) throws -> [String] {
        let tasks = "/proc/\(pid)/task"
        return try FileManager.default.contentsOfDirectory(atPath: tasks).compactMap { task in
            try? String(contentsOfFile: "\(tasks)/\(task)/comm", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    @Test("three listener loops and two client loops when asked; the listener and client groups apart")
    func threadsAsConfigured() async throws {
        let telegram = FakeTelegram()
        try await telegram.start()
        let directory = NSTemporaryDirectory() + "threads-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let botsFile = try GatewayProcess.writeForwardBotFile(
            name: "threads", token: telegram.configuration.token, secret: "threads-webhook-secret", inDirectory: directory
        )
        // Redis makes the clients' group start before ready.
        let gateway = try GatewayProcess(number: 1, environment: [
            "BOTS_CONFIG_FILE": botsFile, "TELEGRAM_API_URL": telegram.baseURL,
            "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": "0", "ADMIN_PORT": "0",
            "REDIS_URL": ProcessInfo.processInfo.environment["REDIS_URL"] ?? "",
            "REDIS_KEY_PREFIX": "threads-" + UUID().uuidString.prefix(8).lowercased(),
            "GATEWAY_LISTENER_THREADS": "3",
            "GATEWAY_CLIENT_THREADS": "2",
            "LOCALES_DIR": Self.repository.appendingPathComponent("locales").path,
        ])
        do {
            _ = try await gateway.listeningPort()
            _ = try await gateway.adminPort()
            let names = try Self.threadNames(of: gateway.pid)
            // NIO names a group's threads NIO-ELT-<group>-#<n>, the singleton's NIO-SGLTN-<group>-#<n>.
            let listener = names.filter { $0.hasPrefix("NIO-ELT-") }
            let client = names.filter { $0.hasPrefix("NIO-SGLTN-") }
            #expect(listener.count == 3, "\(names)")
            #expect(client.count == 2, "\(names)")
            await gateway.stop()
        } catch {
            await gateway.stop()
            Issue.record("\(error)\n\(gateway.report())")
        }
        await telegram.shutdown()
    }
}
