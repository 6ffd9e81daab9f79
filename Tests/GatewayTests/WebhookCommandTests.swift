import Foundation
import OpenSSLTLS
import TelegramBotAPI
import TelegramEmulator
import Testing

/// Runs the real `bot-gateway webhook …` against the emulator's Bot API.
@Suite("bot-gateway webhook")
struct WebhookCommandTests {
    private static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bot-gateway").path
    }

    private static func run(_ arguments: [String], environment: [String: String]) async throws -> Curl.Output {
        try await Curl.runProcess(executable, arguments, environment: environment)
    }

    @Test func setUploadsTheSelfSignedCertificateThenInfoAndDelete() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build bot-gateway first: swift build")
        let telegram = FakeTelegram()
        _ = try await telegram.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("webhook-cli-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try SelfSignedCertificate(host: "127.0.0.1").write(toDirectory: directory)
        let environment = [
            "TELEGRAM_BOT_TOKEN": telegram.configuration.token,
            "TELEGRAM_API_URL": telegram.baseURL,
            "TELEGRAM_WEBHOOK_SECRET": "s3cret-token",
            // Nothing listens on port 1, so the emulator's deliveries fail.
            "TELEGRAM_WEBHOOK_URL": "https://127.0.0.1:1/webhook",
            "TLS_CERT_FILE": files.certificateFile,
            "TLS_KEY_FILE": files.privateKeyFile,
            "LOG_LEVEL": "error",
        ]

        let set = try await Self.run(["webhook", "set", "--max-connections", "10", "--drop-pending-updates"], environment: environment)
        #expect(set.status == 0, "\(set.standardError)")
        #expect(set.standardOutput.contains("webhook set to https://127.0.0.1:1/webhook with the self-signed certificate"))
        let call = try #require(telegram.calls("setWebhook").last)
        guard case .object(let parameters) = call.parameters else {
            Issue.record("setWebhook parameters are not an object")
            return
        }
        #expect(parameters["url"] == .string("https://127.0.0.1:1/webhook"))
        #expect(parameters["secret_token"] == .string("s3cret-token"))
        // A multipart form carries every field as text, JSON for structures.
        #expect(parameters["max_connections"] == .string("10"))
        #expect(parameters["drop_pending_updates"] == .string("true"))
        guard case .string(let allowed) = parameters["allowed_updates"] else {
            Issue.record("allowed_updates missing")
            return
        }
        #expect(try JSONDecoder().decode([String].self, from: Data(allowed.utf8)) == Update.handledKinds)
        let uploaded = try #require(call.files["certificate"])
        #expect(uploaded.data == [UInt8](try Data(contentsOf: URL(fileURLWithPath: files.certificateFile))))

        let before = try await Self.run(["webhook", "info"], environment: environment)
        #expect(before.status == 0, "\(before.standardError)")
        #expect(before.standardOutput.contains("url: https://127.0.0.1:1/webhook"))
        #expect(before.standardOutput.contains("custom certificate: yes"))
        #expect(before.standardOutput.contains("pending updates: 0"))
        #expect(before.standardOutput.contains("last error: none"))

        _ = telegram.privateUser(id: 7, firstName: "Ann").send("hello")
        var after = before
        for _ in 0..<100 where !after.standardOutput.contains("last error: 20") {
            try await Task.sleep(for: .milliseconds(100))
            after = try await Self.run(["webhook", "info"], environment: environment)
        }
        #expect(after.standardOutput.contains("pending updates: 1"))
        // The date in words, how long ago, and Telegram's message.
        #expect(after.standardOutput.contains(" UTC ("), "\(after.standardOutput)")
        #expect(after.standardOutput.contains("seconds ago): ") || after.standardOutput.contains("second ago): "), "\(after.standardOutput)")
        #expect(!after.standardOutput.contains(telegram.configuration.token))

        let delete = try await Self.run(["webhook", "delete"], environment: environment)
        #expect(delete.status == 0, "\(delete.standardError)")
        #expect(telegram.webhook == nil)
        await telegram.shutdown()
    }

    @Test func setWithoutAURLSaysWhatIsMissing() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build bot-gateway first: swift build")
        let result = try await Self.run(["webhook", "set"], environment: [
            "TELEGRAM_BOT_TOKEN": "123:abc",
            "TELEGRAM_WEBHOOK_SECRET": "s3cret",
            "TELEGRAM_API_URL": "http://127.0.0.1:9",
        ])
        #expect(result.status != 0)
        #expect(result.standardError.contains("TELEGRAM_WEBHOOK_URL is not set"))
    }
}
