import ArgumentParser
import CurlHTTP
import Foundation
import Gateway
import Logging
import OpenSSLTLS
import TelegramBotAPI

/// `bot-gateway webhook set|delete|info`: manages the webhook Telegram calls,
/// with the same environment variables as `serve`.
struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook",
        abstract: "Set, delete or inspect the bot's webhook at Telegram.",
        subcommands: [Set.self, Delete.self, Info.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "With BOTS_CONFIG_FILE: the bot to act on (default: every bot).")
        var bot: String?
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point Telegram at TELEGRAM_WEBHOOK_URL with the secret, the certificate when it is self-signed, and the update kinds the gateway handles."
        )

        @OptionGroup var options: Options

        @Option(help: "Most simultaneous webhook connections Telegram opens (1-100).")
        var maxConnections: Int = 40

        @Flag(help: "Drop the updates waiting at Telegram.")
        var dropPendingUpdates = false

        @Option(help: "IP address Telegram sends to instead of resolving the URL's host.")
        var ipAddress: String?

        func validate() throws {
            guard (1...100).contains(maxConnections) else {
                throw ValidationError("--max-connections must be 1 to 100")
            }
        }

        func run() async throws {
            let context = try WebhookContext.load(bot: options.bot)
            guard let webhookURL = context.configuration.telegram.webhookURL else {
                throw ValidationError("TELEGRAM_WEBHOOK_URL is not set: give the public https URL Telegram should call")
            }
            let certificate = try context.selfSignedCertificate()
            try await context.forEachBot { bot, client in
                guard let secret = bot.webhookSecret else {
                    throw ValidationError("bot \(bot.id) has no webhook secret")
                }
                let url = WebhookContext.url(webhookURL, for: bot, botCount: context.configuration.bots.count)
                try await client.setWebhook(SetWebhook(
                    url: url,
                    certificate: certificate,
                    ipAddress: ipAddress,
                    maxConnections: maxConnections,
                    allowedUpdates: Update.handledKinds,
                    dropPendingUpdates: dropPendingUpdates,
                    secretToken: secret
                ))
                print("\(bot.id): webhook set to \(url)\(certificate == nil ? "" : " with the self-signed certificate")")
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the webhook (for example before switching to long polling).")

        @OptionGroup var options: Options

        @Flag(help: "Drop the updates waiting at Telegram.")
        var dropPendingUpdates = false

        func run() async throws {
            let context = try WebhookContext.load(bot: options.bot)
            try await context.forEachBot { bot, client in
                try await client.deleteWebhook(DeleteWebhook(dropPendingUpdates: dropPendingUpdates))
                print("\(bot.id): webhook deleted")
            }
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what Telegram knows of the webhook: URL, pending updates, the last error.")

        @OptionGroup var options: Options

        func run() async throws {
            let context = try WebhookContext.load(bot: options.bot)
            try await context.forEachBot { bot, client in
                print(WebhookContext.describe(try await client.getWebhookInfo(), bot: bot.id, now: Date()))
            }
        }
    }
}

/// What the webhook subcommands share: configuration, a Bot API client per
/// bot, and the certificate to upload.
struct WebhookContext {
    let configuration: GatewayConfiguration
    let bots: [GatewayConfiguration.Bot]

    static func load(bot name: String?) throws -> WebhookContext {
        let configuration: GatewayConfiguration
        do {
            configuration = try GatewayConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError("invalid configuration:\n\(error)")
        }
        var bots = configuration.bots
        if let name {
            bots = bots.filter { "\($0.id)" == name }
            guard !bots.isEmpty else {
                throw ValidationError("no bot named '\(name)'; configured: \(configuration.bots.map { "\($0.id)" }.joined(separator: ", "))")
            }
        }
        return WebhookContext(configuration: configuration, bots: bots)
    }

    /// Runs `body` for each selected bot with a client of its own; the HTTP
    /// client is shut down afterwards, also on failure.
    func forEachBot(_ body: (GatewayConfiguration.Bot, BotAPIClient) async throws -> Void) async throws {
        let http = try HTTPClient()
        let logger = Logger(label: "bot-gateway.webhook")
        do {
            for bot in bots {
                let client = BotAPIClient(
                    configuration: .init(token: bot.token, baseURL: configuration.telegram.apiURL),
                    httpClient: http,
                    logger: logger
                )
                try await body(bot, client)
            }
            await http.shutdown()
        } catch {
            await http.shutdown()
            throw error
        }
    }

    /// The certificate to upload: only a self-signed one, which Telegram
    /// cannot check against a CA. Files are validated as `serve` does.
    func selfSignedCertificate() throws -> FileUpload? {
        guard let files = configuration.server.tls else { return nil }
        let store = try TLSContextStore(configuration: TLSConfiguration(
            certificateFile: files.certificateFile,
            privateKeyFile: files.privateKeyFile
        ))
        guard store.certificate.isSelfSigned else { return nil }
        let pem = try [UInt8](Data(contentsOf: URL(fileURLWithPath: files.certificateFile)))
        return FileUpload(filename: "certificate.pem", contentType: "application/x-pem-file", data: pem)
    }

    /// With one bot the URL is used as given; with several, each bot's path
    /// replaces the URL's path so every bot reaches its own route.
    static func url(_ base: String, for bot: GatewayConfiguration.Bot, botCount: Int) -> String {
        guard botCount > 1, var components = URLComponents(string: base) else { return base }
        components.path = bot.webhookPath
        return components.string ?? base
    }

    static func describe(_ info: WebhookInfo, bot: BotID, now: Date) -> String {
        var lines = ["\(bot):"]
        lines.append("  url: \(info.url.isEmpty ? "(none: long polling or not set)" : info.url)")
        lines.append("  custom certificate: \(info.hasCustomCertificate ? "yes" : "no")")
        lines.append("  pending updates: \(info.pendingUpdateCount)")
        if let maxConnections = info.maxConnections { lines.append("  max connections: \(maxConnections)") }
        if let allowed = info.allowedUpdates { lines.append("  allowed updates: \(allowed.joined(separator: ", "))") }
        if let ip = info.ipAddress { lines.append("  ip address: \(ip)") }
        if let date = info.lastErrorDate {
            lines.append("  last error: \(when(date, now: now)): \(info.lastErrorMessage ?? "no message")")
        } else {
            lines.append("  last error: none")
        }
        if let date = info.lastSynchronizationErrorDate {
            lines.append("  last synchronization error: \(when(date, now: now))")
        }
        return lines.joined(separator: "\n")
    }

    /// A Unix time in words: `2026-11-21 10:00:00 UTC (5 minutes ago)`.
    static func when(_ unixTime: Int, now: Date) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(unixTime))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'UTC'"
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        let ago: String
        switch seconds {
        case ..<60: ago = "\(seconds) second\(seconds == 1 ? "" : "s") ago"
        case ..<3_600: ago = "\(seconds / 60) minute\(seconds / 60 == 1 ? "" : "s") ago"
        case ..<86_400: ago = "\(seconds / 3_600) hour\(seconds / 3_600 == 1 ? "" : "s") ago"
        default: ago = "\(seconds / 86_400) day\(seconds / 86_400 == 1 ? "" : "s") ago"
        }
        return "\(formatter.string(from: date)) (\(ago))"
    }
}
