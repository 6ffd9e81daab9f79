import CurlHTTP
import Foundation
import GatewayTestSupport
import Logging
import OpenSSLTLS
import Persistence
import TelegramBotAPI
import TelegramEmulator
import Testing
import UKServiceFakes

/// Runs the real `bot-gateway doctor` against the test command's Redis and PostgreSQL, the
/// emulator and the fake services: all ✓ on a healthy installation; each broken part a ✗ naming
/// the problem, and exit 1.
@Suite("bot-gateway doctor", .serialized)
struct DoctorCommandTests {
    /// A healthy installation around one scratch database; `body` gets its environment.
    static func withInstallation(_ body: @Sendable ([String: String], _ folder: String) async throws -> Void) async throws {
        let telegram = FakeTelegram()
        let services = FakeServices()
        try await telegram.start()
        try await services.start()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("doctor-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: folder + "/tls", withIntermediateDirectories: true)
            let files = try SelfSignedCertificate(host: "127.0.0.1").write(toDirectory: folder + "/tls")
            let webhook = "https://127.0.0.1:8443/webhook"
            let http = try HTTPClient()
            let client = BotAPIClient(configuration: .init(token: telegram.configuration.token, baseURL: telegram.baseURL), httpClient: http, logger: Logger(label: "doctor-test"))
            try await client.setWebhook(SetWebhook(url: webhook, secretToken: "doctor-secret"))
            await http.shutdown()
            let redis = try #require(ProcessInfo.processInfo.environment["REDIS_URL"], "REDIS_URL is not set: run ./scripts/test.sh")
            try await TestDatabase.withEmpty { database in
                try await Database.withRunning(configuration: database, logger: TestDatabase.logger) { running in
                    let migrations = try MigrationFile.load(directory: TestDatabase.migrationsDirectory)
                    _ = try await Migrator(database: running, files: migrations, logger: TestDatabase.logger).up()
                }
                var environment = [
                    "TELEGRAM_BOT_TOKEN": telegram.configuration.token,
                    "TELEGRAM_API_URL": telegram.baseURL,
                    "TELEGRAM_WEBHOOK_URL": webhook,
                    "TELEGRAM_WEBHOOK_SECRET": "doctor-secret",
                    "TLS_CERT_FILE": files.certificateFile,
                    "TLS_KEY_FILE": files.privateKeyFile,
                    "REDIS_URL": redis,
                    "REDIS_KEY_PREFIX": "doctor",
                    "DATABASE_URL": TestDatabase.url(database),
                ]
                for service in ["AUTH", "USER", "REQUEST", "SHIFT", "ANALYTICS"] {
                    environment["\(service)_SERVICE_URL"] = services.baseURL
                }
                try await body(environment, folder)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            await services.shutdown()
            await telegram.shutdown()
            throw error
        }
        try? FileManager.default.removeItem(atPath: folder)
        await services.shutdown()
        await telegram.shutdown()
    }

    static func doctor(_ environment: [String: String]) async throws -> ExternalCommand.Output {
        try #require(FileManager.default.isExecutableFile(atPath: GatewayProcess.executable), "build bot-gateway first: swift build")
        return try await ExternalCommand.output(GatewayProcess.executable, ["doctor"], environment: environment)
    }

    @Test(.timeLimit(.minutes(3)))
    func aHealthyInstallationIsAllChecksPassed() async throws {
        try await Self.withInstallation { environment, _ in
            let report = try await Self.doctor(environment)
            print("bot-gateway doctor on a healthy installation:\n\(report.standardOutput)")
            #expect(report.status == 0, "\(report.standardOutput)\(report.standardError)")
            let lines = report.standardOutput.split(separator: "\n").map(String.init)
            #expect(!lines.contains { $0.hasPrefix("✗") || $0.hasPrefix("!") }, "\(report.standardOutput)")
            for expected in [
                "✓ configuration is valid", "✓ Redis at 127.0.0.1:", "✓ Redis appendonly yes", "✓ Redis maxmemory-policy noeviction",
                "✓ PostgreSQL at", "✓ migrations current: ", "✓ auth service at", "✓ request service at",
                "✓ bot default: token works, @uk_test_bot", "✓ bot default: webhook https://127.0.0.1:8443/webhook; 0 updates pending",
                "✓ TLS certificate CN=127.0.0.1 valid until", "✓ TLS certificate covers 127.0.0.1", "✓ admin listener",
            ] {
                #expect(lines.contains { $0.hasPrefix(expected) }, "no line starting \"\(expected)\" in:\n\(report.standardOutput)")
            }
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func eachBrokenPartIsNamedAndFails() async throws {
        try await Self.withInstallation { healthy, folder in
            // Redis without an append-only file.
            let port = try LocalPort.free()
            let redis = Process()
            redis.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["REDIS_SERVER_BIN"] ?? "/usr/bin/redis-server")
            redis.arguments = ["--port", "\(port)", "--bind", "127.0.0.1", "--appendonly", "no", "--save", "", "--dir", folder]
            redis.standardOutput = FileHandle.nullDevice
            redis.standardError = FileHandle.nullDevice
            try redis.run()
            // SIGKILL: a child of this process starts with SIGTERM blocked.
            defer {
                kill(redis.processIdentifier, SIGKILL)
                redis.waitUntilExit()
            }
            try await waitUntil("the private redis-server to listen") { LocalPort.accepts(port) }
            let day: TimeInterval = 86_400
            for name in ["expired", "other"] {
                try FileManager.default.createDirectory(atPath: "\(folder)/\(name)", withIntermediateDirectories: true)
            }
            let expired = try SelfSignedCertificate(
                host: "127.0.0.1", notBefore: Date(timeIntervalSinceNow: -10 * day), notAfter: Date(timeIntervalSinceNow: -day)
            ).write(toDirectory: folder + "/expired")
            let other = try SelfSignedCertificate(host: "bot.example.com").write(toDirectory: folder + "/other")

            // Each case: what is changed from the healthy installation, and the line that names it.
            let cases: [(String, [String: String], String)] = [
                ("Redis without an append-only file", ["REDIS_URL": "redis://127.0.0.1:\(port)/0"], "✗ Redis appendonly no: a Redis restart loses updates"),
                ("a token Telegram does not know", ["TELEGRAM_BOT_TOKEN": "987654321:not-the-token"], "✗ bot default: getMe refused"),
                ("an expired certificate", ["TLS_CERT_FILE": expired.certificateFile, "TLS_KEY_FILE": expired.privateKeyFile], "✗ TLS certificate CN=127.0.0.1 expired on"),
                ("a certificate for another host", ["TLS_CERT_FILE": other.certificateFile, "TLS_KEY_FILE": other.privateKeyFile], "✗ TLS certificate does not cover 127.0.0.1"),
                ("PostgreSQL stopped: nothing listens where DATABASE_URL points", ["DATABASE_URL": "postgres://gateway@127.0.0.1:\(try LocalPort.free())/gateway"], "✗ PostgreSQL at 127.0.0.1:"),
                ("another webhook than the configured one", ["TELEGRAM_WEBHOOK_URL": "https://127.0.0.1:8443/other"],
                 "✗ bot default: the webhook is https://127.0.0.1:8443/webhook, the configuration says https://127.0.0.1:8443/other"),
                ("the admin listener open to the network without TLS", ["ADMIN_HOST": "0.0.0.0"], "✗ admin listener on 0.0.0.0:9090 without TLS"),
                ("a service that does not answer", ["SHIFT_SERVICE_URL": "http://127.0.0.1:\(try LocalPort.free())"], "✗ shift service at"),
                ("an invalid configuration", ["TELEGRAM_WEBHOOK_SECRET": "not a valid secret!"], "✗ configuration is invalid"),
            ]
            for (name, changes, line) in cases {
                try await Self.expectFailure(healthy.merging(changes) { $1 }, line, name)
            }
        }
    }

    private static func expectFailure(_ environment: [String: String], _ line: String, _ name: String) async throws {
        let report = try await Self.doctor(environment)
        #expect(report.status == 1, "\(name): exit status \(report.status) for:\n\(report.standardOutput)")
        #expect(
            report.standardOutput.split(separator: "\n").contains { $0.hasPrefix(line) },
            "\(name): no line starting \"\(line)\" in:\n\(report.standardOutput)\(report.standardError)")
        // Secrets stay out of the report.
        #expect(!report.standardOutput.contains(environment["TELEGRAM_BOT_TOKEN"] ?? "-"), "\(name): the token is printed")
    }
}
