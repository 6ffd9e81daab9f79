public import Logging
import NIOCore
public import RedisClient
public import TelegramBotAPI

/// Everything `bot-gateway serve` needs, read once at start.
///
/// Plain values with defaults; ``init(environment:readFile:)`` is the thin
/// layer that fills it from the environment (see `docs/configuration.md`).
public struct GatewayConfiguration: Sendable {
    /// One bot served by the gateway.
    public struct Bot: Sendable, CustomStringConvertible {
        /// The bot's name in logs, metrics and storage keys.
        public var id: BotID
        /// The Bot API token; never logged.
        public var token: String
        /// The webhook route of this bot.
        public var webhookPath: String
        /// The `secret_token` given to `setWebhook`; required in webhook mode.
        public var webhookSecret: String?
        /// The bot kind that serves it (`kind` in `BOTS_CONFIG_FILE`): `uk` unless set.
        public var kind: String
        /// The entry's other fields, which the kind reads (a `forward` bot's `url`, …).
        public var settings: [String: BotSetting]

        /// The kind of a bot whose entry names none, so files written before kinds existed keep working.
        public static let defaultKind = "uk"

        /// Creates a bot entry.
        public init(
            id: BotID,
            token: String,
            webhookPath: String = "/webhook",
            webhookSecret: String? = nil,
            kind: String = Self.defaultKind,
            settings: [String: BotSetting] = [:]
        ) {
            self.id = id
            self.token = token
            self.webhookPath = webhookPath
            self.webhookSecret = webhookSecret
            self.kind = kind
            self.settings = settings
        }

        public var description: String {
            "Bot(\(self.id), kind: \(self.kind), path: \(self.webhookPath), token: <redacted>, secret: \(self.webhookSecret == nil ? "none" : "<redacted>"))"
        }
    }

    /// How the gateway talks to Telegram.
    public struct Telegram: Sendable {
        /// The Bot API base URL.
        public var apiURL: String
        /// Webhook mode (true) or long polling (false).
        public var useWebhook: Bool
        /// The public HTTPS URL given to `setWebhook`; the bot's path is appended.
        public var webhookURL: String?
        /// Long-polling `timeout` in seconds.
        public var pollingTimeout: Int
        /// Bot API calls per second across all chats (Telegram's ~30 a second).
        public var sendsPerSecond: Int
        /// Messages per second to one private chat (Telegram's ~1 a second, bursts of 3).
        public var chatSendsPerSecond: Int

        /// Creates the settings.
        public init(
            apiURL: String = "https://api.telegram.org",
            useWebhook: Bool = true,
            webhookURL: String? = nil,
            pollingTimeout: Int = 30,
            sendsPerSecond: Int = 30,
            chatSendsPerSecond: Int = 1
        ) {
            self.apiURL = apiURL
            self.useWebhook = useWebhook
            self.webhookURL = webhookURL
            self.pollingTimeout = pollingTimeout
            self.sendsPerSecond = sendsPerSecond
            self.chatSendsPerSecond = chatSendsPerSecond
        }

        /// The outbound sender's limits: these rates, Telegram's group limit and retry policy.
        public var outboundLimits: OutboundLimiter<OutboundCall>.Configuration {
            OutboundLimiter<OutboundCall>.Configuration(
                botLimit: OutboundRateLimit(count: self.sendsPerSecond, per: .seconds(1)),
                privateChatLimit: OutboundRateLimit(count: self.chatSendsPerSecond, per: .seconds(1), burst: 3)
            )
        }
    }

    /// The paths of a certificate chain and its key.
    public struct TLSFiles: Sendable, Hashable {
        public var certificateFile: String
        public var privateKeyFile: String

        public init(certificateFile: String, privateKeyFile: String) {
            self.certificateFile = certificateFile
            self.privateKeyFile = privateKeyFile
        }
    }

    /// The HTTP listener.
    public struct Server: Sendable {
        public var host: String
        public var port: Int
        /// TLS certificate and key; nil serves plain HTTP.
        public var tls: TLSFiles?
        /// The webhook's body cap in bytes.
        public var maxBodyBytes: Int
        /// Who may post updates.
        public var addressPolicy: ClientAddressPolicy
        /// How long a graceful shutdown may take to drain queued updates.
        public var shutdownTimeout: Duration
        /// Connection cap, deadlines and header limits, per listener (the
        /// admin listener applies the same values to its own connections).
        public var limits: IngressLimits

        /// Creates the settings.
        public init(
            host: String = "0.0.0.0",
            port: Int = 8443,
            tls: TLSFiles? = nil,
            maxBodyBytes: Int = 1 << 20,
            addressPolicy: ClientAddressPolicy = .init(),
            shutdownTimeout: Duration = .seconds(10),
            limits: IngressLimits = .init()
        ) {
            self.host = host
            self.port = port
            self.tls = tls
            self.maxBodyBytes = maxBodyBytes
            self.addressPolicy = addressPolicy
            self.shutdownTimeout = shutdownTimeout
            self.limits = limits
        }
    }

    /// The admin listener: `/health`, `/ready` and `/metrics`, kept off the
    /// webhook listener that faces Telegram and the internet.
    public struct Admin: Sendable {
        /// The address to bind; loopback unless the operator chooses otherwise.
        public var host: String
        /// The port; 0 picks a free one.
        public var port: Int
        /// TLS certificate and key; nil serves plain HTTP.
        public var tls: TLSFiles?

        /// Creates the settings.
        public init(host: String = "127.0.0.1", port: Int = 9090, tls: TLSFiles? = nil) {
            self.host = host
            self.port = port
            self.tls = tls
        }
    }

    /// How log lines are written.
    public enum LogFormat: String, Sendable {
        /// One JSON object per line.
        case json
        /// swift-log's default human-readable lines.
        case text
    }

    /// Log settings.
    public struct Logging: Sendable {
        public var level: Logger.Level
        public var format: LogFormat

        public init(level: Logger.Level = .info, format: LogFormat = .json) {
            self.level = level
            self.format = format
        }
    }

    /// Where the durable pipeline keeps its data, and how it shares work.
    public struct Redis: Sendable {
        /// The server (from `REDIS_URL`).
        public var connection: RedisConfiguration
        /// Keys, TTLs, leases and caps.
        public var pipeline: DurablePipelineConfiguration

        /// Creates the settings.
        public init(connection: RedisConfiguration, pipeline: DurablePipelineConfiguration = .init()) {
            self.connection = connection
            self.pipeline = pipeline
        }
    }

    /// The bots served; at least one.
    public var bots: [Bot]
    public var telegram: Telegram
    public var server: Server
    /// The admin listener (`ADMIN_HOST`, `ADMIN_PORT`, `ADMIN_TLS_*`).
    public var admin: Admin
    public var logging: Logging
    /// The in-process queue's size and parallelism.
    public var dispatcher: InProcessDispatcher.Configuration
    /// The durable pipeline; nil (no `REDIS_URL`) keeps updates in process.
    public var redis: Redis?
    /// The downstream services; each is optional until a bot that calls it starts.
    public var downstream: DownstreamConfiguration
    /// Per-user limits on updates (`RATE_LIMIT_*`).
    public var rateLimits: RateLimitPolicy
    /// The operator API on the admin listener (`API_JWT_*`, `SCHEDULE_*`).
    public var api: OperatorAPIConfiguration
    /// Event-loop threads (`GATEWAY_LISTENER_THREADS`, `GATEWAY_CLIENT_THREADS`);
    /// applied by ``GatewayApplication/useThreads(_:)`` before anything starts.
    public var threads: Threads

    /// Event-loop threads of the process. The handlers run on Swift's
    /// cooperative pool (a thread per core); the event loops only move bytes,
    /// and each one more is a thread more to wake: on two cores one loop per
    /// group cost 11 % less CPU per update than two (`docs/performance.md`,
    /// round 2, tenth session). So a quarter of the cores each, at least one.
    public struct Threads: Sendable, Equatable {
        /// The webhook and admin listeners' loops (accept, TLS, HTTP parsing).
        public var listener: Int
        /// The clients' loops (Redis, PostgreSQL, the Bot API and the
        /// services): NIO's singleton group.
        public var client: Int

        /// A quarter of the cores, at least one.
        public static var defaultCount: Int { max(1, System.coreCount / 4) }

        /// Creates the settings.
        public init(listener: Int = Self.defaultCount, client: Int = Self.defaultCount) {
            self.listener = listener
            self.client = client
        }
    }

    /// Creates a configuration.
    public init(
        bots: [Bot],
        telegram: Telegram = .init(),
        server: Server = .init(),
        admin: Admin = .init(),
        logging: Logging = .init(),
        dispatcher: InProcessDispatcher.Configuration = .init(),
        redis: Redis? = nil,
        downstream: DownstreamConfiguration = .init(),
        rateLimits: RateLimitPolicy = .init(),
        api: OperatorAPIConfiguration = .init(),
        threads: Threads = .init()
    ) {
        self.bots = bots
        self.telegram = telegram
        self.server = server
        self.admin = admin
        self.logging = logging
        self.dispatcher = dispatcher
        self.redis = redis
        self.downstream = downstream
        self.rateLimits = rateLimits
        self.api = api
        self.threads = threads
    }

    /// The webhook's view of the bots. Bots without a secret are left out;
    /// validation requires one for every bot in webhook mode.
    public var webhookBots: [WebhookBot] {
        self.bots.compactMap { bot in
            bot.webhookSecret.map { WebhookBot(id: bot.id, path: bot.webhookPath, secret: SecretToken($0)) }
        }
    }
}
