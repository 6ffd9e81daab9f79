import CurlHTTP
import Foundation
import GatewayTestSupport
import Testing

/// The files of `deploy/` checked with the tools that read them, and against a running gateway.
@Suite("deploy/: unit, alerts, dashboard, environment", .serialized, BotWorld.logsOnFailure)
struct DeploymentFilesTests {
    static let deploy = BotWorld.repository.appendingPathComponent("deploy")

    /// Every `gateway_…` metric the dashboard and the alert rules query is in a real scrape of
    /// `/metrics` after the happy path and a refused webhook call. Counters of events a healthy
    /// run never has (a 429, a dead letter, a refused connection, a dropped database write) have
    /// no series until the first one; those must at least be among the documented metrics.
    @Test(.timeLimit(.minutes(2)))
    func theDashboardAndAlertsNameOnlyMetricsTheGatewayExports() async throws {
        let dashboardData = try Data(contentsOf: Self.deploy.appendingPathComponent("grafana-dashboard.json"))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: dashboardData) as? [String: Any], "the dashboard is a JSON object")
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        #expect(!panels.isEmpty)
        var queries: [String] = []
        for panel in panels {
            let targets = try #require(panel["targets"] as? [[String: Any]], "panel \(panel["title"] ?? "?") has targets")
            queries += targets.compactMap { $0["expr"] as? String }
        }
        let alerts = try String(contentsOf: Self.deploy.appendingPathComponent("prometheus-alerts.yml"), encoding: .utf8)
        let used = Self.metricNames(in: (queries + [alerts]).joined(separator: "\n"))
        for wanted in ["gateway_updates_received_total", "gateway_webhook_duration_seconds", "gateway_queue_depth", "gateway_dead_letters_total",
                       "gateway_bot_api_rate_limited_total", "gateway_service_circuit_state"] {
            #expect(used.contains(wanted), "the dashboard or the alerts show \(wanted)")
        }

        var scraped: Set<String> = []
        try await BotWorld.run { world in
            let alex = world.privateUser(id: 7101, firstName: "Alex")
            _ = try await alex.command("start")
            _ = try await alex.press(alex.text("button.create_request"))
            let gateway = try #require(world.gateway)
            let webhook = try await gateway.listeningPort()
            let refused = try await world.http.execute(HTTPRequest(
                method: .post, url: "http://127.0.0.1:\(webhook)/webhook", headers: [.init(name: "X-Telegram-Bot-Api-Secret-Token", value: "wrong")],
                body: .bytes(Array(#"{"update_id": 1}"#.utf8)), timeout: .seconds(5)))
            #expect(refused.status == 401)
            let metrics = try await world.http.execute(HTTPRequest(url: "http://127.0.0.1:\(try await gateway.adminPort())/metrics", timeout: .seconds(5)))
            for line in String(decoding: metrics.body, as: UTF8.self).split(separator: "\n") where line.hasPrefix("# TYPE ") {
                scraped.insert(String(line.split(separator: " ")[2]))
            }
        }
        let documented = try String(contentsOf: BotWorld.repository.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let eventOnly: Set = ["gateway_bot_api_rate_limited_total", "gateway_dead_letters_total", "gateway_connections_refused_total", "gateway_database_dropped_total"]
        for name in used.sorted() {
            if eventOnly.contains(name) {
                #expect(documented.contains("`\(name){"), "\(name) is documented in docs/configuration.md")
            } else {
                #expect(scraped.contains(name), "\(name) is not in the gateway's /metrics, which has \(scraped.sorted())")
            }
        }
    }

    /// `systemd-analyze verify` on the unit, its binary path pointed at the one built here.
    @Test func theSystemdUnitVerifies() async throws {
        let analyze = "/usr/bin/systemd-analyze"
        try #require(FileManager.default.isExecutableFile(atPath: analyze), "systemd-analyze is missing: run ./scripts/test.sh, which installs systemd")
        let unit = try String(contentsOf: Self.deploy.appendingPathComponent("bot-gateway.service"), encoding: .utf8)
        for directive in ["DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "Restart=on-failure", "LimitNOFILE=", "EnvironmentFile="] {
            #expect(unit.contains(directive), "the unit sets \(directive)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let local = folder.appendingPathComponent("bot-gateway.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/bot-gateway", with: GatewayProcess.executable).write(to: local, atomically: true, encoding: .utf8)
        let output = try await ExternalCommand.output(analyze, ["verify", local.path])
        #expect(output.status == 0, "\(output.standardOutput)\(output.standardError)")
        #expect(!output.standardError.contains("bot-gateway.service:"), "no complaint about the unit: \(output.standardError)")
    }

    /// `promtool check rules` on the alerts (promtool comes with Debian's prometheus package).
    @Test func thePrometheusRulesPassPromtool() async throws {
        let promtool = ProcessInfo.processInfo.environment["PROMTOOL_BIN"] ?? "/usr/bin/promtool"
        try #require(FileManager.default.isExecutableFile(atPath: promtool), "promtool is missing: run ./scripts/test.sh, which installs Debian's prometheus package")
        let output = try await ExternalCommand.output(promtool, ["check", "rules", Self.deploy.appendingPathComponent("prometheus-alerts.yml").path])
        #expect(output.status == 0, "\(output.standardOutput)\(output.standardError)")
        #expect(output.standardOutput.contains("SUCCESS"), "\(output.standardOutput)")
    }

    /// The example environment file names every variable docs/configuration.md documents.
    @Test func theExampleEnvironmentListsEveryVariable() throws {
        let example = try String(contentsOf: Self.deploy.appendingPathComponent("bot-gateway.env"), encoding: .utf8)
        let documented = try String(contentsOf: BotWorld.repository.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        var named: [String] = []
        for line in documented.split(separator: "\n") where line.hasPrefix("| `") {
            let name = line.dropFirst(3).prefix { $0 != "`" }
            if name.first?.isUppercase == true, name.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" }) {
                named.append(String(name))
            }
        }
        #expect(named.count > 60, "variables found in docs/configuration.md: \(named)")
        let set = Set(example.split(separator: "\n").compactMap { line -> String? in
            let text = line.hasPrefix("# ") ? line.dropFirst(2) : line[...]
            guard let equals = text.firstIndex(of: "=") else { return nil }
            return String(text[..<equals])
        })
        for name in named {
            #expect(set.contains(name), "deploy/bot-gateway.env lacks \(name)")
        }
    }

    /// `gateway_…` names in PromQL text, histogram suffixes removed.
    static func metricNames(in text: String) -> Set<String> {
        var names: Set<String> = []
        var rest = text[...]
        while let start = rest.range(of: "gateway_") {
            let name = rest[start.lowerBound...].prefix { $0.isLetter || $0.isNumber || $0 == "_" }
            var base = String(name)
            for suffix in ["_bucket", "_sum", "_count"] where base.hasSuffix(suffix) {
                base.removeLast(suffix.count)
            }
            names.insert(base)
            rest = rest[name.endIndex...]
        }
        return names
    }
}
