import Foundation
import Gateway
import GatewayTestSupport
import Localization
import Logging
import ServiceLifecycle
import TelegramBotAPI
import Testing

/// The webhook listener faces Telegram and the internet and serves the
/// webhook and `/health` only; `/ready` and `/metrics` are on the admin
/// listener (loopback by default), and `/ready` names checks, never hosts.
@Suite("Two listeners")
struct ListenerSplitTests {
    /// The smallest bot kind: it answers nothing. Enough to assemble a gateway around.
    struct SilentKind: BotKind {
        struct Silent: UpdateHandler {
            func handle(_ update: Update, context: UpdateContext) async throws -> StepOutcome { .unchanged }
        }

        var name: String { "silent" }

        func makeBot(_ bot: GatewayConfiguration.Bot, context: BotContext) async throws -> BotParts {
            BotParts(handler: Silent())
        }
    }

    @Test("the webhook port answers /health but not /ready or /metrics; the admin port answers all three")
    func split() async throws {
        var logger = Logger(label: "listeners")
        logger.logLevel = .error
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let configuration = GatewayConfiguration(
            bots: [.init(id: BotID("quiet"), token: "1:test", webhookPath: "/webhook", webhookSecret: "s3cret", kind: "silent")],
            telegram: .init(apiURL: "http://127.0.0.1:1"),
            server: .init(host: "127.0.0.1", port: 0, shutdownTimeout: .seconds(1)),
            admin: .init(host: "127.0.0.1", port: 0)
        )
        let webhookPorts = AsyncStream.makeStream(of: Int.self)
        let adminPorts = AsyncStream.makeStream(of: Int.self)
        let assembly = try await GatewayAssembly.build(.init(
            configuration: configuration, kinds: BotKinds([SilentKind()]),
            catalogs: try Catalogs.load(directory: repository.appendingPathComponent("locales")),
            registry: testMetricsRegistry, logger: logger,
            onListening: { webhookPorts.continuation.yield($0) },
            onAdminListening: { adminPorts.continuation.yield($0) }))
        let group = ServiceGroup(configuration: .init(services: assembly.services, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var webhookIterator = webhookPorts.stream.makeAsyncIterator()
            var adminIterator = adminPorts.stream.makeAsyncIterator()
            let webhook = try #require(await webhookIterator.next())
            let admin = try #require(await adminIterator.next())
            #expect(webhook != admin)

            #expect(try await Curl.request("http://127.0.0.1:\(webhook)/health").status == 200)
            #expect(try await Curl.request("http://127.0.0.1:\(webhook)/ready").status == 404)
            #expect(try await Curl.request("http://127.0.0.1:\(webhook)/metrics").status == 404)

            #expect(try await Curl.request("http://127.0.0.1:\(admin)/health").status == 200)
            let ready = try await Curl.request("http://127.0.0.1:\(admin)/ready")
            #expect(ready.status == 200)
            #expect(!ready.body.contains("127.0.0.1"))
            let metrics = try await Curl.request("http://127.0.0.1:\(admin)/metrics")
            #expect(metrics.status == 200)
            #expect(try await Curl.request("http://127.0.0.1:\(admin)/webhook", ["-X", "POST", "-d", "{}"]).status == 404)

            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await assembly.http.shutdown()
    }

    @Test("ADMIN_* are read, checked in pairs, and may not take the webhook's port")
    func configuration() throws {
        let minimal = ["TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_WEBHOOK_SECRET": "s3cret"]
        let defaults = try GatewayConfiguration(environment: minimal).admin
        #expect(defaults.host == "127.0.0.1" && defaults.port == 9090 && defaults.tls == nil)
        let set = try GatewayConfiguration(environment: minimal.merging([
            "ADMIN_HOST": "10.0.0.5", "ADMIN_PORT": "9191", "ADMIN_TLS_CERT_FILE": "/c.pem", "ADMIN_TLS_KEY_FILE": "/k.pem",
        ]) { $1 }).admin
        #expect(set.host == "10.0.0.5" && set.port == 9191)
        #expect(set.tls == .init(certificateFile: "/c.pem", privateKeyFile: "/k.pem"))
        let error = #expect(throws: ConfigurationError.self) {
            _ = try GatewayConfiguration(environment: minimal.merging([
                "ADMIN_PORT": "8443", "ADMIN_HOST": "0.0.0.0", "ADMIN_TLS_CERT_FILE": "/c.pem",
            ]) { $1 })
        }
        #expect(error?.problems.map(\.variable) == ["ADMIN_TLS_KEY_FILE", "ADMIN_PORT"])
    }
}
