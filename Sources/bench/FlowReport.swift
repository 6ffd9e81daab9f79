import Foundation
import TelegramBotAPI

/// The numbers of one `bench flow` run, as a table (plain text and Markdown alike).
struct FlowReport {
    let options: FlowBenchmark
    let machine: String
    let database: Bool
    var loadBefore: Double?
    var startupToReady: Duration = .zero
    var peakRSS = 0
    var readyRSS = 0
    var finalAnonymousRSS = 0
    var finalRSS = 0
    var gatewayExit: Int32?
    var null: Wrk.Result?
    var sampleBodies: [[UInt8]] = []
    /// perf_summary.py's tables, with --profile.
    var profile: String?

    // The measured window.
    var windowSeconds = 0.0
    var updates = 0
    var latencies: [Double] = []
    var gatewayCPU = 0.0
    /// Instructions the gateway executed in the window (--callgrind).
    var instructions: Int?
    var driverCPU = 0.0
    var redisCPU = 0.0
    /// Redis CPU in the window per server, when there are several (a cluster).
    var redisCPUByServer: [String: Double] = [:]
    /// What the gateway ran on.
    var redisSetup = "one Redis"
    var machineBusy = 0.0
    var redisCommands = 0
    /// From the gateway's `gateway_redis_round_trips_total`; nil if unread.
    var redisRoundTrips: Double?
    var timeouts = 0
    var missingButtons = 0
    var lateReplies = 0
    var loops = 0
    var problems: [String] = []
    /// Lines the gateway logged (at LOG_LEVEL, warning by default) during the run.
    var gatewayLogLines = 0
    var gatewayLogSample: [String] = []
    // The MONITOR probe after it.
    /// Updates in the MONITOR sample: runs of the inbox's append script.
    var probeUpdates: Int { self.probe?.appends ?? 0 }
    var probe: MonitorSample?

    init(options: FlowBenchmark, machine: String, database: Bool) {
        self.options = options
        self.machine = machine
        self.database = database
    }

    mutating func record(
        _ outcomes: [FlowUsers.Outcome],
        window: (FlowBenchmark.Snapshot, FlowBenchmark.Snapshot),
        probe: MonitorSample?
    ) {
        let (before, after) = window
        self.windowSeconds = (after.instant - before.instant) / .seconds(1)
        var latencies: [Double] = []
        for outcome in outcomes {
            for sample in outcome.samples {
                if sample.received >= before.instant, sample.received < after.instant {
                    latencies.append((sample.received - sample.sent) / .milliseconds(1))
                }
            }
            self.timeouts += outcome.timeouts
            self.missingButtons += outcome.missingButtons
            self.lateReplies += outcome.lateReplies
            self.loops += outcome.loops
            self.problems += outcome.problems
        }
        self.latencies = latencies.sorted()
        self.updates = latencies.count
        self.gatewayCPU = after.gatewayCPU - before.gatewayCPU
        self.driverCPU = after.driverCPU - before.driverCPU
        self.redisCPU = after.redis.cpuSeconds - before.redis.cpuSeconds
        if after.redis.cpuByServer.count > 1 {
            self.redisCPUByServer = after.redis.cpuByServer.mapValues { $0 }
            for (server, seconds) in before.redis.cpuByServer { self.redisCPUByServer[server, default: 0] -= seconds }
        }
        self.machineBusy = after.machineBusy - before.machineBusy
        self.redisCommands = after.redis.totalCalls - before.redis.totalCalls
        if let first = before.redisRoundTrips, let last = after.redisRoundTrips {
            self.redisRoundTrips = last - first
        }
        self.probe = probe
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        self.sampleBodies = (outcomes.first { !$0.firstLoop.isEmpty }?.firstLoop ?? []).compactMap { try? Array(encoder.encode($0)) }
    }

    var updatesPerSecond: Double {
        self.windowSeconds > 0 ? Double(self.updates) / self.windowSeconds : 0
    }

    func percentile(_ fraction: Double) -> Double {
        guard !self.latencies.isEmpty else { return 0 }
        return self.latencies[min(self.latencies.count - 1, Int(Double(self.latencies.count) * fraction))]
    }

    func perUpdate(_ value: Double) -> Double {
        self.updates > 0 ? value / Double(self.updates) : 0
    }

    var transport: String {
        self.options.polling ? "long polling (getUpdates)" : "webhook over \(self.options.tls ? "https" : "http")"
    }

    /// The table as Markdown (which also reads as plain text).
    func render() -> String {
        var rows: [(String, String)] = []
        func row(_ name: String, _ value: String) { rows.append((name, value)) }
        let ratio = self.null.map { $0.requestsPerSecond > 0 ? self.updatesPerSecond / $0.requestsPerSecond : 0 }
        if let ratio {
            row("**gateway / null route (headline)**", String(format: "**%.3f** (%.1f %%)", ratio, ratio * 100))
        }
        row("updates/s through the gateway", String(format: "%.0f", self.updatesPerSecond))
        if let null = self.null {
            row("null route req/s (wrk, \(self.options.users) connections)", String(format: "%.0f (p50 %.2f ms, p99 %.2f ms)", null.requestsPerSecond, null.p50Milliseconds, null.p99Milliseconds))
        }
        row("latency update sent → reply seen, p50 / p90 / p99 / max", String(
            format: "%.1f / %.1f / %.1f / %.1f ms", self.percentile(0.5), self.percentile(0.9), self.percentile(0.99), self.latencies.last ?? 0))
        row("updates measured (happy-path loops completed, whole run)", "\(self.updates) (\(self.loops))")
        row("gateway CPU in the window", String(format: "%.2f s (%.0f %% of one core)", self.gatewayCPU, self.windowSeconds > 0 ? self.gatewayCPU / self.windowSeconds * 100 : 0))
        row("gateway CPU per update", String(format: "%.3f ms", self.perUpdate(self.gatewayCPU) * 1000))
        if let instructions = self.instructions {
            row("**gateway instructions per update** (callgrind, the window)", String(format: "%.0f", self.perUpdate(Double(instructions))))
        }
        row("Redis", self.redisSetup)
        row("Redis CPU per update", String(format: "%.3f ms", self.perUpdate(self.redisCPU) * 1000))
        if !self.redisCPUByServer.isEmpty {
            let busiest = self.redisCPUByServer.values.max() ?? 0
            row("Redis CPU per server in the window (busiest: % of one core)", self.redisCPUByServer.sorted { $0.value > $1.value }
                .map { String(format: "%@ %.2f s", $0.key, $0.value) }.joined(separator: ", ")
                + String(format: " (busiest %.0f %%)", self.windowSeconds > 0 ? busiest / self.windowSeconds * 100 : 0))
        }
        row("driver CPU per update (fake Telegram, fake services, users)", String(format: "%.3f ms", self.perUpdate(self.driverCPU) * 1000))
        row("machine busy in the window (all processes)", String(format: "%.2f of %d cores", self.windowSeconds > 0 ? self.machineBusy / self.windowSeconds : 0, ProcessInfo.processInfo.activeProcessorCount))
        row("gateway peak RSS (VmHWM) / RSS at ready / at the end (of which heap)", String(
            format: "%.1f MB / %.1f MB / %.1f MB (%.1f MB)", Double(self.peakRSS) / 1e6, Double(self.readyRSS) / 1e6,
            Double(self.finalRSS) / 1e6, Double(self.finalAnonymousRSS) / 1e6))
        row("Redis commands per update (INFO commandstats, script-internal included)", String(format: "%.1f", self.perUpdate(Double(self.redisCommands))))
        if let roundTrips = self.redisRoundTrips {
            row("**Redis round trips per update** (the gateway's `gateway_redis_round_trips_total`: commands, pipelines, scripts)", String(
                format: "**%.2f**", self.perUpdate(roundTrips)))
        }
        if let probe = self.probe, self.probeUpdates > 0 {
            let updates = Double(self.probeUpdates)
            row("Redis commands sent per update (MONITOR: top-level, pipelined ones each counted)", String(
                format: "%.1f (+ %.1f commands inside scripts; %d updates sampled)", Double(probe.topLevelCount) / updates, Double(probe.inner) / updates, self.probeUpdates))
        }
        row("start-up: spawn → /ready 200", String(format: "%.0f ms", self.startupToReady / .milliseconds(1)))
        row("timeouts / missing buttons / late replies (to an earlier update)", "\(self.timeouts) / \(self.missingButtons) / \(self.lateReplies)")
        row("gateway log lines at LOG_LEVEL=\(self.options.logLevel) and above", "\(self.gatewayLogLines)")
        if self.gatewayExit != 0 {
            row("gateway exit after SIGTERM", self.gatewayExit.map { "status \($0)" } ?? "killed: no exit within 30 s")
        }

        var lines: [String] = []
        lines.append("bench flow: \(self.options.users) users in a closed loop on the happy path (7 updates per loop), \(self.transport), "
            + String(format: "%.0f s measured after %.0f s warm-up", self.options.seconds, self.options.warmup)
            + "; Redis\(self.database ? " and PostgreSQL" : "") real, Telegram and services faked in the driver process.")
        lines.append("Machine: \(self.machine)" + (self.loadBefore.map { String(format: ", load average %.2f at start", $0) } ?? "")
            + ". Gateway, Redis, PostgreSQL, driver and wrk share these cores: compare ratios, not absolute numbers.")
        lines.append("")
        let width = max(rows.map(\.0.count).max() ?? 0, 6)
        lines.append("| " + "metric".padding(toLength: width, withPad: " ", startingAt: 0) + " | value |")
        lines.append("| " + String(repeating: "-", count: width) + " | ----- |")
        for (name, value) in rows {
            lines.append("| " + name.padding(toLength: width, withPad: " ", startingAt: 0) + " | \(value) |")
        }
        if !self.problems.isEmpty {
            lines.append("")
            lines.append("First problems seen by the users:")
            lines.append("")
            for problem in self.problems.prefix(8) { lines.append("- " + problem) }
        }
        if !self.gatewayLogSample.isEmpty {
            lines.append("")
            lines.append("First gateway log lines:")
            lines.append("")
            for line in self.gatewayLogSample { lines.append("    " + line.prefix(300)) }
        }
        if let probe = self.probe, self.probeUpdates > 0 {
            lines.append("")
            lines.append("Top-level Redis commands per update (MONITOR sample; an EVALSHA is named by its script's first commands):")
            lines.append("")
            lines.append("| command | per update |")
            lines.append("| ------- | ---------- |")
            for (name, count) in probe.topLevel.sorted(by: { $0.value > $1.value }) {
                lines.append("| `\(name)` | " + String(format: "%.2f", Double(count) / Double(self.probeUpdates)) + " |")
            }
        }
        if let profile = self.profile {
            lines.append("")
            lines.append(String(format: "Profile of the gateway, %.0f s right after the measured window under the same load (scripts/lib/perf_summary.py):", self.options.profileSeconds))
            lines.append("")
            lines.append(profile.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return lines.joined(separator: "\n")
    }

    static let beginMarker = "<!-- bench:flow:begin -->"
    static let endMarker = "<!-- bench:flow:end -->"

    /// Replaces the part of `path` between the markers (or appends them) with this run's report.
    func writeMarkdown(to path: String) throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let command = (["scripts/bench.sh"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        let block = [
            Self.beginMarker,
            "<!-- generated by `\(command)`; edit outside the markers -->",
            "",
            "Measured \(formatter.string(from: Date())) with `\(command)`.",
            "",
            self.render(),
            "",
            Self.endMarker,
        ].joined(separator: "\n")
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        if let begin = text.range(of: Self.beginMarker), let end = text.range(of: Self.endMarker, range: begin.upperBound..<text.endIndex) {
            text.replaceSubrange(begin.lowerBound..<end.upperBound, with: block)
        } else {
            text += (text.isEmpty || text.hasSuffix("\n\n") ? "" : "\n") + block + "\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
