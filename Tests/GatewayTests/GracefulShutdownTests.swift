import Foundation
import GatewayTestSupport
import Testing

/// Runs the real `bot-gateway serve` as a child process.
@Suite("bot-gateway serve")
struct GracefulShutdownTests {
    /// The executable next to the test bundle (both are in the build's bin folder).
    private static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bot-gateway").path
    }

    private struct Child {
        let process: Process
        let output: CapturedOutput
        let errors: CapturedOutput
    }

    private static func start(_ environment: [String: String]) throws -> Child {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve"]
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let child = Child(process: process, output: CapturedOutput(stdout.fileHandleForReading), errors: CapturedOutput(stderr.fileHandleForReading))
        try process.run()
        return child
    }

    /// Service URLs nobody answers at, and a Bot API that refuses at once: enough to start.
    private static let unreachableServices = [
        "TELEGRAM_API_URL": "http://127.0.0.1:1",
        "AUTH_SERVICE_URL": "http://127.0.0.1:1",
        "USER_SERVICE_URL": "http://127.0.0.1:1",
        "REQUEST_SERVICE_URL": "http://127.0.0.1:1",
        "SHIFT_SERVICE_URL": "http://127.0.0.1:1",
        "ANALYTICS_SERVICE_URL": "http://127.0.0.1:1",
    ]

    private static func waitForExit(_ process: Process, timeout: Duration = .seconds(20)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw CurlError(message: "bot-gateway did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    @Test("SIGTERM lets the request in flight finish, then exits 0")
    func sigterm() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build bot-gateway first: swift build")
        let child = try Self.start([
            "TELEGRAM_BOT_TOKEN": "123:test",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret",
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": "0",
            "ADMIN_PORT": "0",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "info",
        ].merging(Self.unreachableServices) { $1 })
        defer { if child.process.isRunning { child.process.terminate() } }
        #expect(try await child.output.waitFor("gateway listening", timeout: .seconds(20)))
        let line = try #require(child.output.text.split(separator: "\n").first { $0.contains("gateway listening") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let port = try #require(((object["metadata"] as? [String: Any])?["port"] as? String).flatMap { Int($0) })

        // 200 KB uploaded at 100 KB/s: the request is in flight for about two seconds.
        let body = Sample.message(text: String(repeating: "z", count: 200_000))
        async let slow = Curl.post("http://127.0.0.1:\(port)/webhook", body: body, extra: ["--limit-rate", "100K"])
        try await Task.sleep(for: .milliseconds(700))
        kill(child.process.processIdentifier, SIGTERM)

        let response = try await slow
        #expect(response.status == 200)
        let status = try await Self.waitForExit(child.process)
        #expect(status == 0, "stderr: \(child.errors.text)")
        #expect(child.output.text.contains("gateway stopped"))
    }

    @Test("an invalid configuration lists every problem on stderr and exits non-zero")
    func invalidConfiguration() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build bot-gateway first: swift build")
        let child = try Self.start(["GATEWAY_PORT": "x", "LOG_FORMAT": "xml", "TLS_CERT_FILE": "/c.pem"])
        let status = try await Self.waitForExit(child.process)
        #expect(status != 0)
        let errors = child.errors.finish()
        for variable in ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TLS_KEY_FILE", "GATEWAY_PORT", "LOG_FORMAT"] {
            #expect(errors.contains("\n\(variable): "), "\(variable) in: \(errors)")
        }
    }

    @Test("an unusable certificate stops the start with one clear line")
    func badCertificate() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build bot-gateway first: swift build")
        let child = try Self.start([
            "TELEGRAM_BOT_TOKEN": "123:test",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret",
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": "0",
            "ADMIN_PORT": "0",
            "TLS_CERT_FILE": "/nonexistent/cert.pem",
            "TLS_KEY_FILE": "/nonexistent/key.pem",
        ])
        let status = try await Self.waitForExit(child.process)
        #expect(status != 0)
        let errors = child.errors.finish()
        #expect(errors.hasPrefix("bot-gateway: TLS_CERT_FILE / TLS_KEY_FILE: "))
        #expect(errors.contains("/nonexistent/cert.pem"))
    }

    @Test("without the downstream service URLs the UK bot cannot start, and says which are missing")
    func missingServices() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build bot-gateway first: swift build")
        let child = try Self.start([
            "TELEGRAM_BOT_TOKEN": "123:test",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret",
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": "0",
            "ADMIN_PORT": "0",
            "TELEGRAM_API_URL": "http://127.0.0.1:1",
            "AUTH_SERVICE_URL": "http://127.0.0.1:1",
        ])
        let status = try await Self.waitForExit(child.process)
        #expect(status != 0)
        let errors = child.errors.finish()
        for variable in ["USER_SERVICE_URL", "REQUEST_SERVICE_URL", "SHIFT_SERVICE_URL", "ANALYTICS_SERVICE_URL"] {
            #expect(errors.contains(variable), "stderr: \(errors)")
        }
        #expect(!errors.contains("AUTH_SERVICE_URL"))
    }
}
