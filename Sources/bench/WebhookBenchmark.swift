import ArgumentParser
import Foundation
import Gateway
import Hummingbird
import Logging
import Metrics
import OpenSSLTLS
import Prometheus
import ServiceLifecycle

/// Requests per second and p99 latency of the gateway's webhook route against
/// a null Hummingbird route (read the body, answer 200), over plain HTTP and
/// over TLS, all driven by `wrk` on loopback in one run.
///
/// The gateway side is the real path up to the acknowledgement: address and
/// secret checks, bounded body read, strict decode, metrics, and the
/// in-process dispatcher (with a handler that does nothing). The ratio
/// gateway/null is the cost of that path relative to Hummingbird itself.
struct WebhookBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Requests/s and p99 of POST /webhook against a null route, plain and TLS, driven by wrk."
    )

    @Option(help: "Seconds wrk drives each target.")
    var seconds: Int = 5

    @Option(help: "Connections wrk keeps open.")
    var connections: Int = 32

    @Option(help: "wrk threads (the server shares the machine).")
    var threads: Int = 1

    @Option(help: "Path of the wrk executable.")
    var wrk: String = "/usr/bin/wrk"

    private static let secret = "bench-secret"

    func run() async throws {
        let wrk = Wrk(path: self.wrk, threads: self.threads, connections: self.connections, seconds: self.seconds)
        try wrk.checkInstalled()
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(GatewayMetrics.makeFactory(registry: registry))

        let directory = NSTemporaryDirectory() + "bench-webhook-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = try SelfSignedCertificate(host: "127.0.0.1").write(toDirectory: directory)
        let tls = try TLSContextStore(configuration: TLSConfiguration(certificateFile: files.certificateFile, privateKeyFile: files.privateKeyFile))
        let script = directory + "/webhook.lua"
        try Self.luaScript.write(toFile: script, atomically: true, encoding: .utf8)

        let dispatcher = InProcessDispatcher(configuration: .init(capacity: 100_000, concurrency: 8), logger: logger) { _ in }
        let webhook = WebhookEndpoint(
            bots: [WebhookBot(id: BotID("bench"), path: "/webhook", secret: SecretToken(Self.secret))],
            options: .init(addressPolicy: ClientAddressPolicy(allowlist: [IPNetwork("127.0.0.0/8")!])),
            sink: dispatcher,
            logger: logger
        )
        let ports = PortCollector()
        let apps: [any Service] = [
            GatewayApplication.make(name: "webhook", routes: { webhook.register(on: $0) }, host: "127.0.0.1", port: 0, tls: nil, logger: logger) {
                await ports.add("gateway http", $0)
            },
            GatewayApplication.make(name: "webhook", routes: { webhook.register(on: $0) }, host: "127.0.0.1", port: 0, tls: tls, logger: logger) {
                await ports.add("gateway https", $0)
            },
            Self.nullApplication(tls: nil, logger: logger) { await ports.add("null http", $0) },
            Self.nullApplication(tls: tls, logger: logger) { await ports.add("null https", $0) },
        ]
        let group = ServiceGroup(configuration: .init(services: [dispatcher] + apps, logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let bound = try await ports.wait(for: 4)
            print("wrk: \(self.connections) connections, \(self.threads) thread(s), \(self.seconds) s per target; server and wrk share this machine")
            print("target        |   req/s  |  p99 ms | non-2xx | errors")
            print("------------- | -------- | ------- | ------- | ------")
            var results: [String: Wrk.Result] = [:]
            for name in ["null http", "gateway http", "null https", "gateway https"] {
                let scheme = name.hasSuffix("https") ? "https" : "http"
                let path = name.hasPrefix("null") ? "/null" : "/webhook"
                let result = try await wrk.run(url: "\(scheme)://127.0.0.1:\(bound[name]!)\(path)", script: script)
                results[name] = result
                let numbers = String(
                    format: " | %8.0f | %7.3f | %7d | %6d",
                    result.requestsPerSecond, result.p99Milliseconds, result.non2xx, result.socketErrors
                )
                print(name.padding(toLength: 13, withPad: " ", startingAt: 0) + numbers)
            }
            for transport in ["http", "https"] {
                let gateway = results["gateway \(transport)"]!.requestsPerSecond
                let null = results["null \(transport)"]!.requestsPerSecond
                print(String(format: "gateway/null over %@: %.2f", transport, null > 0 ? gateway / null : 0))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// POST with a Telegram-shaped body; the chat id varies so the dispatcher
    /// spreads the updates over many conversations, as real traffic does.
    /// `done` prints one machine-readable line (latency in microseconds).
    private static let luaScript = """
        local counter = 0
        local headers = {
          ["Content-Type"] = "application/json",
          ["X-Telegram-Bot-Api-Secret-Token"] = "\(secret)",
        }
        local template = '{"update_id":%d,"message":{"message_id":%d,"date":1700000000,' ..
          '"chat":{"id":%d,"type":"private","first_name":"Ann"},' ..
          '"from":{"id":%d,"is_bot":false,"first_name":"Ann","language_code":"en"},' ..
          '"text":"/start hello from the benchmark"}}'
        request = function()
          counter = counter + 1
          local chat = 1000 + counter % 997
          return wrk.format("POST", nil, headers, string.format(template, counter, counter, chat, chat))
        end
        \(Wrk.doneFunction)
        """

    /// The ceiling: a Hummingbird route that reads the body and answers 200.
    static func nullApplication(tls: TLSContextStore?, logger: Logger, onPort: @escaping @Sendable (Int) async -> Void) -> some Service {
        let router = Router()
        router.post("/null") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 1 << 20)
            return .ok
        }
        return Application(
            router: router,
            server: tls.map { .http1OverOpenSSL(tls: $0) } ?? .http1(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { await onPort($0.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}

/// Collects the ports the servers bound, by name.
actor PortCollector {
    private var ports: [String: Int] = [:]

    func add(_ name: String, _ port: Int) {
        self.ports[name] = port
    }

    func wait(for count: Int) async throws -> [String: Int] {
        let deadline = ContinuousClock.now + .seconds(10)
        while self.ports.count < count {
            guard ContinuousClock.now < deadline else { throw ValidationError("servers did not start within 10 s") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return self.ports
    }
}
