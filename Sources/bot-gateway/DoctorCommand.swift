import ArgumentParser
import CurlHTTP
import Foundation
import Gateway
import Logging
import OpenSSLTLS
import Persistence
import RedisClient
import TelegramBotAPI

/// `bot-gateway doctor`: checks an installation configured as `serve` would be, one line per
/// check — ✓ fine, ! worth a look, ✗ wrong, with what to do — and exits 0 only when nothing is ✗.
/// Run it as the last step before `bot-gateway webhook set`.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the configuration, Redis, PostgreSQL, the services, each bot's token and webhook, and TLS; exit 1 on any problem."
    )

    /// How long one check may wait for an answer.
    static let patience = Duration.seconds(5)
    /// A certificate expiring sooner than this is flagged.
    static let renewalWindow: TimeInterval = 14 * 86_400

    func run() async throws {
        // The checks' own clients log nothing: the report says what they found.
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .critical
            return handler
        }
        var report = DoctorReport()
        let environment = ProcessInfo.processInfo.environment
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration(environment: environment)
            try ServeCommand.kinds.check(configuration)
            _ = try ServeCommand.catalogs()
            report.pass("configuration is valid: \(configuration.bots.count) bot\(configuration.bots.count == 1 ? "" : "s") (\(configuration.bots.map { "\($0.id) (\($0.kind))" }.joined(separator: ", ")))")
        } catch {
            report.fail("configuration is invalid:\n\(error)", fix: "fix the variables named above (docs/configuration.md lists them all)")
            report.print()
            throw ExitCode.failure
        }
        await Self.checkRedis(configuration, into: &report)
        await Self.checkDatabase(environment, into: &report)
        let http = try HTTPClient()
        await Self.checkServices(configuration, http: http, into: &report)
        await Self.checkBots(configuration, http: http, into: &report)
        await http.shutdown()
        Self.checkTLS(configuration, into: &report)
        Self.checkAdminListener(configuration, into: &report)
        report.print()
        if report.failed { throw ExitCode.failure }
    }

    // MARK: Redis

    static func checkRedis(_ configuration: GatewayConfiguration, into report: inout DoctorReport) async {
        guard let redis = configuration.redis else {
            report.warn("no REDIS_URL: updates wait in this process's memory and a crash loses them", fix: "set REDIS_URL for the durable pipeline")
            return
        }
        var logger = Logger(label: "doctor.redis")
        logger.logLevel = .critical
        var connection = redis.connection
        connection.connectTimeout = Self.patience
        let client = RedisClient(configuration: connection, logger: logger)
        await Self.checkRedis(client, connection, into: &report)
        await client.close()
    }

    private static func checkRedis(_ client: RedisClient, _ connection: RedisConfiguration, into report: inout DoctorReport) async {
        let place = connection.clusterNodes.isEmpty ? "\(connection.host):\(connection.port)" : "cluster \(connection.clusterNodes.map { "\($0)" }.joined(separator: ","))"
        do {
            let info = try await client.send(["INFO", "server"], timeout: Self.patience).string ?? ""
            let version = Self.field("redis_version", in: info) ?? "unknown"
            report.pass("Redis at \(place) answers: version \(version)")
        } catch {
            report.fail("Redis at \(place) does not answer: \(error)", fix: "start Redis or correct REDIS_URL")
            return
        }
        if !connection.clusterNodes.isEmpty {
            let info = (try? await client.send(["CLUSTER", "INFO"], timeout: Self.patience).string) ?? ""
            let state = Self.field("cluster_state", in: info) ?? "unknown"
            if state == "ok" {
                report.pass("Redis Cluster state ok, \(Self.field("cluster_known_nodes", in: info) ?? "?") nodes, \(Self.field("cluster_slots_ok", in: info) ?? "?") slots served")
            } else {
                report.fail("Redis Cluster state is \(state)", fix: "repair the cluster (redis-cli --cluster check) before serving")
            }
        }
        do {
            let appendOnly = try await Self.config("appendonly", client)
            if appendOnly == "yes" {
                report.pass("Redis appendonly yes: acknowledged updates survive a restart")
            } else {
                report.fail("Redis appendonly \(appendOnly): a Redis restart loses updates the gateway acknowledged to Telegram", fix: "set appendonly yes (and appendfsync everysec) in redis.conf")
            }
            let policy = try await Self.config("maxmemory-policy", client)
            if policy == "noeviction" {
                report.pass("Redis maxmemory-policy noeviction")
            } else {
                report.warn("Redis maxmemory-policy \(policy): under memory pressure Redis may evict queued updates and conversations", fix: "set maxmemory-policy noeviction")
            }
        } catch {
            report.warn("cannot read Redis settings with CONFIG GET (\(error)); check appendonly and maxmemory-policy by hand", fix: "appendonly yes, maxmemory-policy noeviction")
        }
    }

    private static func config(_ name: String, _ client: RedisClient) async throws -> String {
        let answer = try await client.send(["CONFIG", "GET", .string(name)], timeout: Self.patience)
        return answer.array?.dropFirst().first?.string ?? "unknown"
    }

    /// A `name:value` line of an `INFO` answer.
    private static func field(_ name: String, in info: String) -> String? {
        info.split(whereSeparator: \.isNewline).first { $0.hasPrefix(name + ":") }.map { String($0.dropFirst(name.count + 1)) }
    }

    // MARK: PostgreSQL

    static func checkDatabase(_ environment: [String: String], into report: inout DoctorReport) async {
        guard let url = environment["DATABASE_URL"], !url.isEmpty else {
            report.warn("no DATABASE_URL: command settings, broadcasts, schedules and history are off", fix: "set DATABASE_URL to keep them")
            return
        }
        let configuration: DatabaseConfiguration
        let migrations: [MigrationFile]
        do {
            configuration = try DatabaseConfiguration(environment: environment)
            migrations = try MigrateCommand.Options.migrations(directory: nil)
        } catch {
            report.fail("\(error)", fix: "correct DATABASE_URL or MIGRATIONS_DIR")
            return
        }
        let place = "\(configuration.host):\(configuration.port)/\(configuration.database)"
        var logger = Logger(label: "doctor.database")
        logger.logLevel = .critical
        do {
            let statuses = try await Database.withRunning(configuration: configuration, logger: logger) { database in
                try await database.ping(timeout: Self.patience)
                return try await Migrator(database: database, files: migrations, logger: logger).status()
            }
            report.pass("PostgreSQL at \(place) answers")
            let pending = statuses.filter { $0.state == .pending }.map(\.name)
            let broken = statuses.filter { $0.state == .changed || $0.state == .missing }.map(\.name)
            if !broken.isEmpty {
                report.fail("migrations changed or missing after being applied: \(broken.joined(separator: ", "))", fix: "see bot-gateway migrate status; an applied migration is never edited")
            } else if !pending.isEmpty {
                report.fail("\(pending.count) migration\(pending.count == 1 ? "" : "s") not applied: \(pending.joined(separator: ", "))", fix: "run bot-gateway migrate up (serve also applies them at start)")
            } else {
                report.pass("migrations current: \(statuses.count) applied")
            }
        } catch {
            report.fail("PostgreSQL at \(place) does not answer: \(PostgresErrorMessage.text(for: error))", fix: "start PostgreSQL or correct DATABASE_URL")
        }
    }

    // MARK: Services

    static func checkServices(_ configuration: GatewayConfiguration, http: HTTPClient, into report: inout DoctorReport) async {
        for (name, url) in configuration.downstream.serviceURLs.sorted(by: { $0.key < $1.key }) {
            do {
                let answer = try await http.execute(HTTPRequest(url: url, timeout: Self.patience, connectTimeout: Self.patience))
                if answer.status < 500 {
                    report.pass("\(name) service at \(url) answers (HTTP \(answer.status))")
                } else {
                    report.fail("\(name) service at \(url) answers HTTP \(answer.status)", fix: "look at the \(name) service")
                }
            } catch {
                report.fail("\(name) service at \(url) does not answer: \(error)", fix: "start it or correct \(name.uppercased())_SERVICE_URL")
            }
        }
    }

    // MARK: Bots

    static func checkBots(_ configuration: GatewayConfiguration, http: HTTPClient, into report: inout DoctorReport) async {
        let logger = Logger(label: "doctor.telegram")
        for bot in configuration.bots {
            let client = BotAPIClient(configuration: .init(token: bot.token, baseURL: configuration.telegram.apiURL), httpClient: http, logger: logger)
            do {
                let me = try await client.getMe()
                report.pass("bot \(bot.id): token works, @\(me.username ?? "?") (id \(me.id))")
            } catch {
                report.fail("bot \(bot.id): getMe refused: \(error.description)", fix: "check the bot's token with @BotFather")
                continue
            }
            let info: WebhookInfo
            do {
                info = try await client.getWebhookInfo()
            } catch {
                report.fail("bot \(bot.id): getWebhookInfo failed: \(error.description)", fix: "try again; Telegram may be unreachable from here")
                continue
            }
            Self.judge(info, of: bot, configuration: configuration, into: &report)
        }
    }

    static func judge(_ info: WebhookInfo, of bot: GatewayConfiguration.Bot, configuration: GatewayConfiguration, into report: inout DoctorReport) {
        let pending = "\(info.pendingUpdateCount) update\(info.pendingUpdateCount == 1 ? "" : "s") pending"
        guard configuration.telegram.useWebhook else {
            if info.url.isEmpty {
                report.pass("bot \(bot.id): long polling, no webhook set; \(pending)")
            } else {
                report.warn("bot \(bot.id): a webhook is set (\(info.url)) though TELEGRAM_USE_WEBHOOK is false", fix: "serve deletes it at start; nothing to do unless another program uses it")
            }
            return
        }
        guard let base = configuration.telegram.webhookURL else {
            report.fail("bot \(bot.id): no TELEGRAM_WEBHOOK_URL to compare the webhook with", fix: "set TELEGRAM_WEBHOOK_URL to the public https:// URL")
            return
        }
        let expected = WebhookContext.url(base, for: bot, botCount: configuration.bots.count)
        if info.url == expected {
            report.pass("bot \(bot.id): webhook \(info.url); \(pending)")
        } else if info.url.isEmpty {
            // A new installation: doctor comes before `webhook set`.
            report.warn("bot \(bot.id): no webhook set yet; \(pending)", fix: "run bot-gateway webhook set when everything else is ✓")
        } else {
            report.fail(
                "bot \(bot.id): the webhook is \(info.url.isEmpty ? "not set" : info.url), the configuration says \(expected)",
                fix: "run bot-gateway webhook set once the rest is ✓")
        }
        if let date = info.lastErrorDate {
            let when = WebhookContext.when(date, now: Date())
            let message = "bot \(bot.id): Telegram's last delivery error \(when): \(info.lastErrorMessage ?? "no message")"
            if Date().timeIntervalSince1970 - TimeInterval(date) < 3_600 {
                report.fail(message, fix: "make the URL reachable from the internet with a certificate Telegram accepts")
            } else {
                report.warn(message, fix: "none if deliveries succeed since")
            }
        }
    }

    // MARK: TLS and listeners

    static func checkTLS(_ configuration: GatewayConfiguration, into report: inout DoctorReport) {
        guard let files = configuration.server.tls else {
            report.warn("no TLS_CERT_FILE: the webhook listener speaks plain HTTP", fix: "fine behind a TLS proxy; Telegram only calls https:// URLs")
            return
        }
        let host = configuration.telegram.webhookURL.flatMap { URLComponents(string: $0)?.host }
        let inspection: CertificateInspection
        do {
            inspection = try CertificateInspection.inspect(certificateFile: files.certificateFile, host: host)
        } catch {
            report.fail("TLS certificate: \(error)", fix: "point TLS_CERT_FILE at a PEM certificate chain")
            return
        }
        let left = inspection.expires.timeIntervalSinceNow
        let until = inspection.expires.formatted(.iso8601)
        if left <= 0 {
            report.fail("TLS certificate \(inspection.summary.subject) expired on \(until)", fix: "renew it (bot-gateway tls self-signed, or your CA) and restart or send SIGHUP")
        } else if inspection.starts.timeIntervalSinceNow > 0 {
            report.fail("TLS certificate \(inspection.summary.subject) is not valid before \(inspection.starts.formatted(.iso8601))", fix: "check the machine's clock or the certificate")
        } else if left < Self.renewalWindow {
            report.warn("TLS certificate \(inspection.summary.subject) expires on \(until), in \(Int(left / 86_400)) days", fix: "renew it soon")
        } else {
            report.pass("TLS certificate \(inspection.summary.subject) valid until \(until)\(inspection.summary.isSelfSigned ? " (self-signed: webhook set uploads it)" : "")")
        }
        switch (host, inspection.coversHost) {
        case (let host?, true?):
            report.pass("TLS certificate covers \(host), the webhook URL's host")
        case (let host?, _):
            report.fail("TLS certificate does not cover \(host), the webhook URL's host", fix: "issue it for \(host) (bot-gateway tls self-signed --host \(host))")
        default:
            break
        }
    }

    static func checkAdminListener(_ configuration: GatewayConfiguration, into report: inout DoctorReport) {
        let host = configuration.admin.host
        let loopback = host == "localhost" || host == "::1" || host.hasPrefix("127.")
        if loopback {
            report.pass("admin listener (/ready, /metrics) on \(host):\(configuration.admin.port), this machine only")
        } else if configuration.admin.tls != nil {
            report.pass("admin listener on \(host):\(configuration.admin.port) with TLS")
        } else {
            report.fail(
                "admin listener on \(host):\(configuration.admin.port) without TLS: metrics and readiness are open to the network",
                fix: "set ADMIN_HOST=127.0.0.1, or ADMIN_TLS_CERT_FILE and ADMIN_TLS_KEY_FILE")
        }
    }
}

/// The lines `doctor` prints, and whether any is a failure.
struct DoctorReport {
    private(set) var lines: [String] = []
    private(set) var failed = false

    mutating func pass(_ text: String) {
        lines.append("✓ \(text)")
    }

    mutating func warn(_ text: String, fix: String) {
        lines.append("! \(text) — \(fix)")
    }

    mutating func fail(_ text: String, fix: String) {
        failed = true
        lines.append("✗ \(text) — \(fix)")
    }

    func print() {
        Swift.print(lines.joined(separator: "\n"))
        Swift.print(failed ? "Problems found: fix each ✗ and run bot-gateway doctor again." : "Nothing wrong found.")
    }
}
