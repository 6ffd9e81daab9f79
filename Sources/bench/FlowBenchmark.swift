import ArgumentParser
import CurlHTTP
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Logging
import OpenSSLTLS
import RedisClient
import ServiceLifecycle
import TelegramBotAPI
import TelegramEmulator
import UKServiceFakes

/// The whole path, end to end: the release `bot-gateway serve` as a child
/// process (webhook listener, durable Redis inbox, middleware, the UK bot,
/// atomic commit, outbox relay, outbound sender), real Redis and PostgreSQL,
/// and this process playing Telegram (the emulator's `FakeTelegram`), the
/// downstream services (`FakeServices`) and N users walking the happy path in
/// a closed loop. Then, in the same run, a null webhook route (read the
/// body, answer 200) driven by wrk with as many connections as users: the
/// ceiling. The gateway/null ratio is the headline.
struct FlowBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "Updates/s, latency, CPU, RSS and Redis commands per update of bot-gateway serve on the UK bot's happy path, against a null route.",
        discussion: """
            Needs REDIS_URL and DATABASE_URL (scripts/bench.sh flow starts private servers).
            The gateway runs with the per-user rate limits raised to 1,000,000 (RATE_LIMIT_*)
            and Telegram's sending limits lifted (TELEGRAM_SENDS_PER_SECOND=100000,
            TELEGRAM_CHAT_SENDS_PER_SECOND=10000), because the simulated users write far faster
            than people and the fake Telegram enforces no limits; everything else is the
            default configuration.
            """
    )

    @Option(help: "Simulated users, each in its own private chat, in a closed loop.")
    var users: Int = 200

    @Option(help: "Seconds measured, after the warm-up.")
    var seconds: Double = 10

    @Option(help: "Seconds of load before the measurement starts (logins, connections, caches).")
    var warmup: Double = 3

    @Option(name: .customLong("null-seconds"), help: "Seconds wrk drives the null route (the ceiling); 0 skips it.")
    var nullSeconds: Int = 5

    @Option(name: .customLong("probe-seconds"), help: "Seconds of redis-cli MONITOR after the measurement, to count round trips; 0 skips it.")
    var probeSeconds: Double = 1

    @Flag(help: "Serve the webhook over TLS (self-signed certificate; the fake Telegram delivers over https without verifying it).")
    var tls = false

    @Flag(help: "Long polling (TELEGRAM_USE_WEBHOOK=false): the gateway calls the fake's getUpdates.")
    var polling = false

    @Option(help: "The bot-gateway executable (default: next to this one).")
    var gateway: String?

    @Option(help: "A command to start the gateway under, such as 'valgrind --tool=callgrind'; split on spaces.")
    var wrapper: String?

    @Flag(help: "Run the gateway under valgrind's callgrind and count the instructions it executes in the measured window (counters zeroed at its start, dumped at its end), as instructions per update. Slow: use a few users. scripts/bench.sh prepares the gateway for valgrind.")
    var callgrind = false

    @Option(name: .customLong("callgrind-out"), help: "Keep the window's callgrind dump in this file, for callgrind_annotate (implies --callgrind).")
    var callgrindOut: String?

    @Option(name: .customLong("valgrind-preload"), help: "A library preloaded into the gateway under --callgrind (scripts/bench.sh passes the sigsuspend that valgrind 3.19 needs).")
    var valgrindPreload: String?

    @Flag(help: "Profile the gateway right after the measured window, under the same load (`perf record -e cpu-clock -g`), and add scripts/lib/perf_summary.py's tables to the report.")
    var profile = false

    @Option(name: .customLong("perf-data"), help: "Keep the profile in this file (implies --profile).")
    var perfData: String?

    @Option(name: .customLong("profile-seconds"), help: "Seconds profiled, after the measured window and under the same load.")
    var profileSeconds: Double = 5

    @Option(name: .customLong("ready-timeout"), help: "Seconds the gateway may take to answer /ready.")
    var readyTimeout: Double = 30

    @Option(name: .customLong("reply-timeout"), help: "Seconds a user waits for a reply before counting a timeout and starting over with /start.")
    var replyTimeout: Double = 5

    @Option(name: .customLong("log-level"), help: "The gateway's LOG_LEVEL.")
    var logLevel = "warning"

    @Option(name: .customLong("env"), help: "Extra KEY=VALUE for the gateway's environment (repeat), e.g. DISPATCHER_CONCURRENCY=32.")
    var extraEnvironment: [String] = []

    @Option(help: "Path of the wrk executable.")
    var wrk = "/usr/bin/wrk"

    @Option(help: "Also write the report into this Markdown file, between the bench:flow markers.")
    var markdown: String?

    @Option(help: "Folder holding locales/ and Migrations/ (default: the working directory).")
    var root: String?

    @Flag(name: .customLong("redis-cluster"), help: "Run twice in one go: on REDIS_URL's server, then on the Redis Cluster of REDIS_CLUSTER_NODES (scripts/bench.sh flow --redis-cluster starts both), and compare.")
    var redisCluster = false

    /// Where one run keeps its data.
    enum RedisTarget {
        case server(url: String)
        /// Seed nodes, `host:port,…`; every node is probed.
        case cluster(nodes: String)
    }

    /// --callgrind, or implied by --callgrind-out.
    var underCallgrind: Bool { self.callgrind || self.callgrindOut != nil }

    func validate() throws {
        guard self.users >= 1 else { throw ValidationError("--users must be at least 1") }
        guard self.seconds > 0 else { throw ValidationError("--seconds must be positive") }
        if self.tls, self.polling { throw ValidationError("--tls is about webhook delivery; with --polling nobody connects to the listener") }
        if self.underCallgrind, self.wrapper != nil { throw ValidationError("--callgrind starts the gateway under valgrind itself; drop --wrapper") }
        if self.underCallgrind, self.profile || self.perfData != nil { throw ValidationError("--callgrind and --profile each measure the gateway; take one at a time") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let redisURL = environment["REDIS_URL"], !redisURL.isEmpty else {
            throw ValidationError("set REDIS_URL (scripts/bench.sh flow starts a private redis-server and PostgreSQL)")
        }
        var reports = [try await self.runOnce(on: .server(url: redisURL), null: self.nullSeconds > 0)]
        if self.redisCluster {
            guard let nodes = environment["REDIS_CLUSTER_NODES"], !nodes.isEmpty else {
                throw ValidationError("--redis-cluster needs REDIS_CLUSTER_NODES (scripts/bench.sh flow --redis-cluster starts a cluster)")
            }
            reports.append(try await self.runOnce(on: .cluster(nodes: nodes), null: false))
        }
        for report in reports { print(report.render()) }
        if reports.count == 2 {
            let (one, cluster) = (reports[0], reports[1])
            print(String(
                format: "Redis Cluster / one Redis: updates/s %.2f×, gateway CPU per update %.2f×, Redis CPU per update (all nodes) %.2f×, p99 %.1f / %.1f ms",
                cluster.updatesPerSecond / max(one.updatesPerSecond, 1),
                cluster.perUpdate(cluster.gatewayCPU) / max(one.perUpdate(one.gatewayCPU), 1e-12),
                cluster.perUpdate(cluster.redisCPU) / max(one.perUpdate(one.redisCPU), 1e-12),
                cluster.percentile(0.99), one.percentile(0.99)))
        }
        if let markdown = self.markdown, let report = reports.first {
            try report.writeMarkdown(to: markdown)
            print("wrote \(markdown)")
        }
    }

    /// One run against `target`: the gateway started on it, warm-up,
    /// measurement, probes, and (`null`) the null route afterwards.
    private func runOnce(on target: RedisTarget, null runNull: Bool) async throws -> FlowReport {
        let environment = ProcessInfo.processInfo.environment
        let databaseURL = environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        let wrk = Wrk(path: self.wrk, threads: 1, connections: self.users, seconds: self.nullSeconds)
        if runNull { try wrk.checkInstalled() }
        let root = self.root ?? FileManager.default.currentDirectoryPath
        let executable = self.gateway ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bot-gateway").path

        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let directory = NSTemporaryDirectory() + "bench-flow-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificate = self.tls ? try SelfSignedCertificate(host: "127.0.0.1").write(toDirectory: directory) : nil

        let telegram = FakeTelegram()
        let services = FakeServices()
        try await telegram.start()
        try await services.start()
        let http = try HTTPClient()

        let redisURL: String
        let servers: [String]
        switch target {
        case .server(let url):
            redisURL = url
            servers = [url]
        case .cluster(let nodes):
            let addresses = try RedisNodeAddress.list(nodes)
            redisURL = "redis://\(addresses[0])"
            servers = addresses.map { "redis://\($0)" }
        }
        var probes: [(name: String, client: RedisClient)] = []
        for server in servers {
            var configuration = try RedisConfiguration(url: server)
            configuration.poolSize = 1
            let client = RedisClient(configuration: configuration, logger: logger)
            await client.connect()
            probes.append(("\(configuration.host):\(configuration.port)", client))
        }
        let probe = RedisProbe(nodes: probes, url: redisURL)

        // A key prefix of its own, so a Redis kept from an earlier run (whose
        // update ids this fake Telegram repeats) does not dedup this run's updates.
        var gatewayEnvironment: [String: String] = [
            "PATH": environment["PATH"] ?? "/usr/bin:/bin",
            "TELEGRAM_BOT_TOKEN": telegram.configuration.token,
            "TELEGRAM_API_URL": telegram.baseURL,
            "TELEGRAM_WEBHOOK_SECRET": Self.secret,
            "TELEGRAM_USE_WEBHOOK": self.polling ? "false" : "true",
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": "0",
            "ADMIN_PORT": "\(try GatewayChild.freePort())",
            "REDIS_URL": redisURL,
            "REDIS_KEY_PREFIX": "bench-\(UInt32.random(in: 0...UInt32.max))",
            "LOG_LEVEL": self.logLevel,
            "LOG_FORMAT": "json",
            // Simulated users write much faster than people; the limits would stop them.
            "RATE_LIMIT_MESSAGES_PER_MINUTE": "1000000",
            "RATE_LIMIT_MESSAGES_PER_HOUR": "1000000",
            "RATE_LIMIT_COMMANDS_PER_MINUTE": "1000000",
            // Telegram's sending limits (30 calls a second per bot, 1 message a second per
            // chat) would cap the run at 30 replies a second; the fake Telegram enforces none.
            "TELEGRAM_SENDS_PER_SECOND": "100000",
            "TELEGRAM_CHAT_SENDS_PER_SECOND": "10000",
            "LOCALES_DIR": root + "/locales",
            "MIGRATIONS_DIR": root + "/Migrations",
        ]
        if case .cluster(let nodes) = target { gatewayEnvironment["REDIS_CLUSTER_NODES"] = nodes }
        for name in ["AUTH_SERVICE_URL", "USER_SERVICE_URL", "REQUEST_SERVICE_URL", "SHIFT_SERVICE_URL", "ANALYTICS_SERVICE_URL"] {
            gatewayEnvironment[name] = services.baseURL
        }
        if let databaseURL { gatewayEnvironment["DATABASE_URL"] = databaseURL }
        if self.underCallgrind, let library = self.valgrindPreload { gatewayEnvironment["LD_PRELOAD"] = library }
        if let certificate {
            gatewayEnvironment["TLS_CERT_FILE"] = certificate.certificateFile
            gatewayEnvironment["TLS_KEY_FILE"] = certificate.privateKeyFile
        }
        for pair in self.extraEnvironment {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { throw ValidationError("--env takes KEY=VALUE, got \(pair)") }
            gatewayEnvironment[String(parts[0])] = String(parts[1])
        }

        // Migrations first, in their own process, so start-up measures a
        // start against a ready schema, as every start but the first is.
        if databaseURL != nil {
            try await Self.migrate(executable: executable, environment: gatewayEnvironment)
        }

        let child = try GatewayChild(
            executable: executable,
            wrapper: self.underCallgrind
                ? Callgrind.wrapper(directory: directory)
                : self.wrapper.map { $0.split(separator: " ").map(String.init) } ?? [],
            environment: gatewayEnvironment,
            logFile: directory + "/gateway.log"
        )
        var report = FlowReport(options: self, machine: ProcessStats.machineDescription(), database: databaseURL != nil)
        if case .cluster = target { report.redisSetup = "Redis Cluster, \(servers.count) nodes" }
        report.loadBefore = ProcessStats.loadAverage()
        do {
            // valgrind takes tens of seconds to start the gateway.
            try await child.start(timeout: .seconds(self.underCallgrind ? max(self.readyTimeout, 300) : self.readyTimeout))
            report.startupToReady = child.startupToReady
            report.readyRSS = child.residentAtReady
            Self.progress("gateway pid \(child.pid) ready on port \(child.port) after \(child.startupToReady)")
            if !self.polling {
                let client = BotAPIClient(configuration: .init(token: telegram.configuration.token, baseURL: telegram.baseURL), httpClient: http, logger: logger)
                try await client.setWebhook(SetWebhook(
                    url: "\(self.tls ? "https" : "http")://127.0.0.1:\(child.port)/webhook",
                    maxConnections: min(100, self.users),
                    secretToken: Self.secret
                ))
            }
            // MONITOR reads one server: on a cluster it would see a part.
            let monitor = servers.count == 1 ? self.probeSeconds : 0
            try await self.drive(telegram: telegram, child: child, probe: probe, monitorSeconds: monitor, directory: directory, report: &report)
        } catch {
            await child.stop()
            await Self.shutdown(telegram: telegram, services: services, http: http, redis: probes.map(\.client))
            throw error
        }
        report.gatewayExit = await child.stop()
        let log = ((try? String(contentsOfFile: child.logFile, encoding: .utf8)) ?? "").split(separator: "\n")
        report.gatewayLogLines = log.count
        report.gatewayLogSample = log.prefix(5).map(String.init)
        await Self.shutdown(telegram: telegram, services: services, http: http, redis: probes.map(\.client))

        if let file = self.perfFile(directory) {
            Self.progress("summarising the profile")
            report.profile = try await Self.summarise(profile: file, root: root)
        }
        if runNull {
            Self.progress("null route, \(self.nullSeconds) s")
            report.null = try await Self.runNull(wrk: wrk, bodies: report.sampleBodies, tls: certificate, logger: logger)
        }
        return report
    }

    static let secret = "bench-secret"

    /// A line on stderr about where the run is.
    static func progress(_ message: String) {
        FileHandle.standardError.write(Data("bench flow: \(message)\n".utf8))
    }

    /// Warm-up, the measured window (snapshots at both ends), then under the
    /// same load the profile (--profile) and the MONITOR probe, then stop.
    private func drive(
        telegram: FakeTelegram, child: GatewayChild, probe: RedisProbe, monitorSeconds: Double, directory: String, report: inout FlowReport
    ) async throws {
        let replyTimeout = self.underCallgrind ? max(self.replyTimeout, 60) : self.replyTimeout
        let users = FlowUsers(telegram: telegram, users: self.users, replyTimeout: .seconds(replyTimeout))
        let stop = FlowUsers.Stop()
        async let outcomes = users.run(until: stop)
        do {
            Self.progress("\(self.users) users started; warm-up \(self.warmup) s")
            try await Task.sleep(for: .seconds(self.warmup))
            Self.progress("measuring \(self.seconds) s")
            if self.underCallgrind { try await Callgrind.zero(pid: child.pid) }
            let before = try await Snapshot.take(child: child, probe: probe, tls: self.tls)
            try await Task.sleep(for: .seconds(self.seconds))
            let after = try await Snapshot.take(child: child, probe: probe, tls: self.tls)
            if self.underCallgrind {
                report.instructions = try await Callgrind.dump(pid: child.pid, directory: directory, keep: self.callgrindOut)
            }
            if let file = self.perfFile(directory) {
                Self.progress("profiling \(self.profileSeconds) s")
                try await Self.startPerf(pid: child.pid, output: file, seconds: self.profileSeconds).wait()
            }
            var sample: MonitorSample?
            if monitorSeconds > 0 {
                Self.progress("MONITOR for \(monitorSeconds) s")
                sample = try await probe.monitor(for: .seconds(monitorSeconds))
            }
            Self.progress("stopping the users")
            stop.set()
            let results = await outcomes
            report.peakRSS = child.peakResidentBytes
            report.finalRSS = ProcessStats.memoryBytes(pid: child.pid, field: "VmRSS") ?? 0
            report.finalAnonymousRSS = ProcessStats.memoryBytes(pid: child.pid, field: "RssAnon") ?? 0
            report.record(results, window: (before, after), probe: sample)
        } catch {
            stop.set()
            _ = await outcomes
            throw error
        }
    }

    /// Readings at one end of the measured window.
    struct Snapshot {
        var instant: ContinuousClock.Instant
        var gatewayCPU: Double
        var driverCPU: Double
        var machineBusy: Double
        var redis: RedisProbe.Snapshot
        /// The gateway's own count of Redis requests it waited for.
        var redisRoundTrips: Double?

        static func take(child: GatewayChild, probe: RedisProbe, tls: Bool) async throws -> Snapshot {
            let instant = ContinuousClock.now
            let roundTrips = await child.metric("gateway_redis_round_trips_total")
            return Snapshot(
                instant: instant,
                gatewayCPU: child.cpuSeconds,
                driverCPU: ProcessStats.selfCPUSeconds(),
                machineBusy: ProcessStats.machineBusySeconds() ?? 0,
                redis: try await probe.snapshot(),
                redisRoundTrips: roundTrips
            )
        }
    }

    /// Where the profile goes, if one is taken.
    private func perfFile(_ directory: String) -> String? {
        self.perfData ?? (self.profile ? directory + "/gateway.perf" : nil)
    }

    /// scripts/lib/perf_summary.py's Markdown tables of the profile.
    private static func summarise(profile: String, root: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root + "/scripts/lib/perf_summary.py", profile, "25"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read before waiting: the tables may outgrow the pipe's buffer.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return "(perf_summary.py failed with status \(process.terminationStatus))" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `perf record` attached to the gateway for `seconds` (the length of its `sleep`).
    private static func startPerf(pid: Int32, output: String, seconds: Double) throws -> SpawnedChild {
        try SpawnedChild("/usr/bin/perf", [
            "record", "-e", "cpu-clock", "-F", "999", "-g", "-p", String(pid), "-o", output, "--", "sleep", String(seconds),
        ])
    }

    private static func migrate(executable: String, environment: [String: String]) async throws {
        let (status, text) = try await runToExit(executable, arguments: ["migrate", "up"], environment: environment)
        guard status == 0 else {
            throw ValidationError("bot-gateway migrate up failed (exit \(status)):\n\(text)")
        }
    }

    private static func shutdown(telegram: FakeTelegram, services: FakeServices, http: HTTPClient, redis: [RedisClient]) async {
        for client in redis { await client.close() }
        await http.shutdown()
        await telegram.shutdown()
        await services.shutdown()
    }

    /// The ceiling: the null route in this process (nothing else runs now),
    /// driven by wrk with one connection per user posting the happy path's update bodies.
    private static func runNull(wrk: Wrk, bodies: [[UInt8]], tls: (certificateFile: String, privateKeyFile: String)?, logger: Logger) async throws -> Wrk.Result {
        let store = try tls.map { try TLSContextStore(configuration: TLSConfiguration(certificateFile: $0.certificateFile, privateKeyFile: $0.privateKeyFile)) }
        let script = NSTemporaryDirectory() + "bench-flow-null-\(UUID().uuidString).lua"
        try Self.nullScript(bodies: bodies).write(toFile: script, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: script) }
        let ports = PortCollector()
        let application = WebhookBenchmark.nullApplication(tls: store, logger: logger) { await ports.add("null", $0) }
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: Wrk.Result?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            let port = try await ports.wait(for: 1)["null"]!
            let result = try await wrk.run(url: "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)/null", script: script)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }

    /// POSTs the bodies in turn, with the headers Telegram sends.
    private static func nullScript(bodies: [[UInt8]]) -> String {
        let fallback = Array(#"{"update_id":1,"message":{"message_id":1,"date":1700000000,"chat":{"id":1,"type":"private","first_name":"A"},"from":{"id":1,"is_bot":false,"first_name":"A"},"text":"/start"}}"#.utf8)
        let list = (bodies.isEmpty ? [fallback] : bodies)
            .map { "[==[" + String(decoding: $0, as: UTF8.self) + "]==]" }
            .joined(separator: ",\n  ")
        return """
            local bodies = {
              \(list)
            }
            local counter = 0
            local headers = {
              ["Content-Type"] = "application/json",
              ["X-Telegram-Bot-Api-Secret-Token"] = "\(secret)",
            }
            request = function()
              counter = counter + 1
              return wrk.format("POST", nil, headers, bodies[counter % #bodies + 1])
            end
            \(Wrk.doneFunction)
            """
    }
}
