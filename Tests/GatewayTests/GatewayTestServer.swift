import Foundation
import Gateway
import GatewayTestSupport
import Hummingbird
import Logging
import Metrics
import OpenSSLTLS
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing
import TelegramBotAPI

/// The gateway's application on 127.0.0.1 and a free port, run in a service
/// group the way `serve` runs it.
struct GatewayTestServer {
    let port: Int
    let certificateFile: String?

    var baseURL: String { "\(self.certificateFile == nil ? "http" : "https")://127.0.0.1:\(self.port)" }

    static func run(
        bots: [WebhookBot] = [WebhookBot(id: BotID("test"), path: "/webhook", secret: SecretToken("s3cret"))],
        options: WebhookEndpoint.Options = .init(),
        sink: any UpdateSink = RecordingSink(),
        readiness: ReadinessChecks = ReadinessChecks(),
        tls: Bool = false,
        limits: IngressLimits = .init(),
        _ body: (GatewayTestServer) async throws -> Void
    ) async throws {
        // Bootstrap before the endpoint makes its metric handles.
        _ = testMetricsRegistry
        var logger = Logger(label: "gateway-test")
        logger.logLevel = .error
        var store: TLSContextStore?
        var directory: String?
        if tls {
            let path = NSTemporaryDirectory() + "gateway-tests-" + UUID().uuidString
            let files = try SelfSignedCertificate(host: "127.0.0.1").write(toDirectory: path)
            store = try TLSContextStore(configuration: TLSConfiguration(
                certificateFile: files.certificateFile,
                privateKeyFile: files.privateKeyFile
            ))
            directory = path
        }
        defer { if let directory { try? FileManager.default.removeItem(atPath: directory) } }

        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = GatewayApplication.make(
            name: "webhook",
            routes: { router in
                WebhookEndpoint(bots: bots, options: options, sink: sink, logger: logger).register(on: router)
                OperationalEndpoints(readiness: readiness, metrics: MetricsEndpoint(registry: testMetricsRegistry)).register(on: router)
            },
            host: "127.0.0.1",
            port: 0,
            tls: store,
            limits: limits,
            admission: options.addressPolicy,
            logger: logger,
            onServerRunning: { port in
                portContinuation.yield(port)
                portContinuation.finish()
            }
        )
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(GatewayTestServer(port: port, certificateFile: store?.configuration.certificateFile))
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }
}

/// An ``UpdateSink`` that remembers what it was given, or refuses everything.
final class RecordingSink: UpdateSink {
    private let received = Mutex<[UpdateDelivery]>([])
    private let refusal: UpdateSinkError?

    init(refusing refusal: UpdateSinkError? = nil) {
        self.refusal = refusal
    }

    var deliveries: [UpdateDelivery] {
        self.received.withLock { $0 }
    }

    func accept(_ update: Update, raw: [UInt8], bot: BotID) async throws {
        if let refusal { throw refusal }
        self.received.withLock { $0.append(UpdateDelivery(update: update, raw: raw, bot: bot)) }
    }
}

/// Update bodies as Telegram sends them.
enum Sample {
    static func message(updateID: Int = 1, chatID: Int64 = 42, text: String = "hello") -> String {
        """
        {"update_id":\(updateID),"message":{"message_id":7,"date":1700000000,\
        "chat":{"id":\(chatID),"type":"private","first_name":"Ann"},\
        "from":{"id":\(chatID),"is_bot":false,"first_name":"Ann"},"text":"\(text)"}}
        """
    }
}
