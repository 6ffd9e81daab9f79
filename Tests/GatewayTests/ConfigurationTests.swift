import Foundation
import Gateway
import TelegramBotAPI
import Testing

@Suite("Configuration from the environment")
struct ConfigurationTests {
    private let minimal = ["TELEGRAM_BOT_TOKEN": "123456:ABC-def_ghi", "TELEGRAM_WEBHOOK_SECRET": "s3cret"]

    @Test("defaults with only the token and secret set")
    func defaults() throws {
        let configuration = try GatewayConfiguration(environment: minimal)
        #expect(configuration.bots.count == 1)
        #expect(configuration.bots[0].id == .single)
        #expect(configuration.bots[0].webhookPath == "/webhook")
        #expect(configuration.telegram.apiURL == "https://api.telegram.org")
        #expect(configuration.telegram.useWebhook)
        #expect(configuration.telegram.webhookURL == nil)
        #expect(configuration.telegram.pollingTimeout == 30)
        #expect(configuration.telegram.sendsPerSecond == 30)
        #expect(configuration.telegram.chatSendsPerSecond == 1)
        #expect(configuration.telegram.outboundLimits == .init())
        #expect(configuration.server.host == "0.0.0.0")
        #expect(configuration.server.port == 8443)
        #expect(configuration.server.tls == nil)
        #expect(configuration.server.maxBodyBytes == 1 << 20)
        #expect(configuration.server.addressPolicy.allowlist == nil)
        #expect(configuration.server.addressPolicy.trustedProxies.isEmpty)
        #expect(configuration.server.shutdownTimeout == .seconds(10))
        #expect(configuration.logging.level == .info)
        #expect(configuration.logging.format == .json)
        #expect(configuration.dispatcher.capacity == 1024)
        #expect(configuration.dispatcher.concurrency == 16)
        #expect(configuration.webhookBots.map(\.path) == ["/webhook"])
    }

    @Test("every variable is read")
    func everyVariable() throws {
        let environment = [
            "TELEGRAM_BOT_TOKEN": "42:token",
            "TELEGRAM_API_URL": "http://127.0.0.1:9000",
            "TELEGRAM_USE_WEBHOOK": "yes",
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.com",
            "TELEGRAM_WEBHOOK_PATH": "/tg/hook",
            "TELEGRAM_WEBHOOK_SECRET": "Secret_-1",
            "TELEGRAM_POLLING_TIMEOUT": "50",
            "TELEGRAM_SENDS_PER_SECOND": "1000",
            "TELEGRAM_CHAT_SENDS_PER_SECOND": "20",
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": "9443",
            "GATEWAY_MAX_BODY_BYTES": "65536",
            "GATEWAY_SHUTDOWN_TIMEOUT": "2.5",
            "TLS_CERT_FILE": "/etc/gw/cert.pem",
            "TLS_KEY_FILE": "/etc/gw/key.pem",
            "TELEGRAM_IP_ALLOWLIST": "telegram, 2001:db8::/32",
            "TRUSTED_PROXIES": "10.0.0.0/8,::1",
            "LOG_LEVEL": "DEBUG",
            "LOG_FORMAT": "text",
            "DISPATCHER_CAPACITY": "10",
            "DISPATCHER_CONCURRENCY": "3",
            "GATEWAY_MAX_CONNECTIONS": "300",
            "GATEWAY_HEADER_TIMEOUT": "2",
            "GATEWAY_BODY_TIMEOUT": "4.5",
            "GATEWAY_IDLE_TIMEOUT": "15",
            "GATEWAY_MAX_HEADER_BYTES": "8192",
            "GATEWAY_MAX_HEADERS": "40",
        ]
        let configuration = try GatewayConfiguration(environment: environment)
        #expect(configuration.server.limits == IngressLimits(
            maxConnections: 300, headerTimeout: .seconds(2), bodyTimeout: .milliseconds(4500),
            idleTimeout: .seconds(15), maxHeaderBytes: 8192, maxHeaderCount: 40
        ))
        #expect(configuration.bots[0].token == "42:token")
        #expect(configuration.bots[0].webhookPath == "/tg/hook")
        #expect(configuration.bots[0].webhookSecret == "Secret_-1")
        #expect(configuration.telegram.apiURL == "http://127.0.0.1:9000")
        #expect(configuration.telegram.useWebhook)
        #expect(configuration.telegram.webhookURL == "https://bot.example.com")
        #expect(configuration.telegram.pollingTimeout == 50)
        #expect(configuration.telegram.outboundLimits.botLimit == OutboundRateLimit(count: 1000, per: .seconds(1)))
        #expect(configuration.telegram.outboundLimits.privateChatLimit == OutboundRateLimit(count: 20, per: .seconds(1), burst: 3))
        #expect(configuration.server.host == "127.0.0.1")
        #expect(configuration.server.port == 9443)
        #expect(configuration.server.maxBodyBytes == 65536)
        #expect(configuration.server.shutdownTimeout == .milliseconds(2500))
        #expect(configuration.dispatcher.drainTimeout == .milliseconds(2500))
        #expect(configuration.server.tls == .init(certificateFile: "/etc/gw/cert.pem", privateKeyFile: "/etc/gw/key.pem"))
        #expect(configuration.server.addressPolicy.allowlist?.map(\.description) == ["149.154.160.0/20", "91.108.4.0/22", "2001:db8::/32"])
        #expect(configuration.server.addressPolicy.trustedProxies.map(\.description) == ["10.0.0.0/8", "::1/128"])
        #expect(configuration.logging.level == .debug)
        #expect(configuration.logging.format == .text)
        #expect(configuration.dispatcher.capacity == 10)
        #expect(configuration.dispatcher.concurrency == 3)

        let polling = try GatewayConfiguration(environment: ["TELEGRAM_BOT_TOKEN": "1:a", "TELEGRAM_USE_WEBHOOK": "false"])
        #expect(!polling.telegram.useWebhook)
        #expect(polling.bots[0].webhookSecret == nil)
    }

    @Test("each invalid value gets its own line, all at once, without quoting secrets")
    func everyProblemListed() throws {
        let environment = [
            "TELEGRAM_BOT_TOKEN": "not-a-token-SECRETVALUE",
            "TELEGRAM_API_URL": "ftp://api",
            "TELEGRAM_USE_WEBHOOK": "maybe",
            "TELEGRAM_WEBHOOK_URL": "http://insecure.example.com",
            "TELEGRAM_WEBHOOK_PATH": "webhook",
            "TELEGRAM_WEBHOOK_SECRET": "has spaces SECRETVALUE",
            "TELEGRAM_POLLING_TIMEOUT": "-1",
            "TELEGRAM_SENDS_PER_SECOND": "0",
            "TELEGRAM_CHAT_SENDS_PER_SECOND": "fast",
            "GATEWAY_PORT": "70000",
            "GATEWAY_MAX_BODY_BYTES": "12",
            "GATEWAY_SHUTDOWN_TIMEOUT": "soon",
            "TLS_CERT_FILE": "/etc/gw/cert.pem",
            "TELEGRAM_IP_ALLOWLIST": "telegram,300.1.1.1/8",
            "TRUSTED_PROXIES": "telegram",
            "LOG_LEVEL": "loud",
            "LOG_FORMAT": "xml",
            "DISPATCHER_CAPACITY": "0",
            "DISPATCHER_CONCURRENCY": "many",
            "GATEWAY_MAX_CONNECTIONS": "0",
            "GATEWAY_HEADER_TIMEOUT": "never",
            "GATEWAY_MAX_HEADERS": "2",
        ]
        let error = try #require(throws: ConfigurationError.self) { try GatewayConfiguration(environment: environment) }
        let variables = error.problems.map(\.variable)
        #expect(variables == [
            "TELEGRAM_API_URL", "TELEGRAM_USE_WEBHOOK", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_POLLING_TIMEOUT",
            "TELEGRAM_SENDS_PER_SECOND", "TELEGRAM_CHAT_SENDS_PER_SECOND",
            "TELEGRAM_WEBHOOK_PATH", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TLS_KEY_FILE",
            "GATEWAY_PORT", "GATEWAY_MAX_BODY_BYTES", "TELEGRAM_IP_ALLOWLIST", "TRUSTED_PROXIES",
            "GATEWAY_SHUTDOWN_TIMEOUT", "GATEWAY_MAX_CONNECTIONS", "GATEWAY_HEADER_TIMEOUT", "GATEWAY_MAX_HEADERS", "LOG_LEVEL", "LOG_FORMAT", "DISPATCHER_CAPACITY", "DISPATCHER_CONCURRENCY",
        ])
        let text = error.description
        #expect(text.split(separator: "\n").count == error.problems.count)
        #expect(!text.contains("SECRETVALUE"))
        #expect(text.contains(#"GATEWAY_PORT: expected a whole number from 0 to 65535, got "70000""#))
        #expect(text.contains(#""300.1.1.1/8" is not an IPv4 or IPv6 address"#))
    }

    @Test("GATEWAY_LISTENER_THREADS and GATEWAY_CLIENT_THREADS: a quarter of the cores each by default, 1 to 256")
    func eventLoopThreads() throws {
        let defaults = try GatewayConfiguration(environment: minimal).threads
        let quarter = GatewayConfiguration.Threads.defaultCount
        #expect(defaults == .init(listener: quarter, client: quarter))
        #expect(quarter >= 1 && quarter <= max(1, ProcessInfo.processInfo.activeProcessorCount / 4 + 1))
        let set = try GatewayConfiguration(environment: minimal.merging(["GATEWAY_LISTENER_THREADS": "3", "GATEWAY_CLIENT_THREADS": "256"]) { $1 })
        #expect(set.threads == .init(listener: 3, client: 256))
        for (variable, value) in [("GATEWAY_LISTENER_THREADS", "0"), ("GATEWAY_CLIENT_THREADS", "257"), ("GATEWAY_CLIENT_THREADS", "many")] {
            let error = try #require(throws: ConfigurationError.self) {
                try GatewayConfiguration(environment: minimal.merging([variable: value]) { $1 })
            }
            #expect(error.problems.map(\.variable) == [variable])
        }
    }

    @Test("REDIS_POOL_SIZE sets the connections per server, 1 to 64; 2 when unset")
    func redisPoolSize() throws {
        func configuration(_ extra: [String: String]) throws -> GatewayConfiguration {
            try GatewayConfiguration(environment: minimal.merging(["REDIS_URL": "redis://10.0.0.1"].merging(extra) { $1 }) { $1 })
        }
        #expect(try configuration([:]).redis?.connection.poolSize == 2)
        #expect(try configuration(["REDIS_POOL_SIZE": "1"]).redis?.connection.poolSize == 1)
        #expect(try configuration(["REDIS_POOL_SIZE": "64"]).redis?.connection.poolSize == 64)
        for value in ["0", "65", "-1", "two", "99999999999999999999"] {
            let error = try #require(throws: ConfigurationError.self) { try configuration(["REDIS_POOL_SIZE": value]) }
            #expect(error.problems.map(\.variable) == ["REDIS_POOL_SIZE"], "\(value)")
        }
    }

    @Test("REDIS_CLUSTER_NODES with REDIS_URL selects cluster mode; alone, malformed or with a database, it is refused")
    func redisCluster() throws {
        let cluster = try GatewayConfiguration(environment: minimal.merging([
            "REDIS_URL": "redis://gateway:p%40ss@10.0.0.1:7000",
            "REDIS_CLUSTER_NODES": "10.0.0.1:7000, 10.0.0.2:7000,10.0.0.3:7000",
        ]) { $1 })
        let connection = try #require(cluster.redis?.connection)
        #expect(connection.clusterNodes.map(\.description) == ["10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7000"])
        #expect(connection.username == "gateway" && connection.password == "p@ss")
        #expect(try GatewayConfiguration(environment: minimal.merging(["REDIS_URL": "redis://10.0.0.1"]) { $1 }).redis?.connection.clusterNodes == [])
        for (environment, variable) in [
            (["REDIS_CLUSTER_NODES": "10.0.0.1:7000"], "REDIS_CLUSTER_NODES"),
            (["REDIS_URL": "redis://10.0.0.1:7000", "REDIS_CLUSTER_NODES": "10.0.0.1"], "REDIS_CLUSTER_NODES"),
            (["REDIS_URL": "redis://10.0.0.1:7000/2", "REDIS_CLUSTER_NODES": "10.0.0.1:7000"], "REDIS_URL"),
        ] {
            let error = try #require(throws: ConfigurationError.self) {
                try GatewayConfiguration(environment: minimal.merging(environment) { $1 })
            }
            #expect(error.problems.map(\.variable) == [variable], "\(environment)")
        }
    }

    @Test("webhook mode requires a secret; a missing token is named")
    func requiredValues() throws {
        let error = try #require(throws: ConfigurationError.self) { try GatewayConfiguration(environment: [:]) }
        #expect(error.problems.map(\.variable) == ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"])
        let keyOnly = try #require(throws: ConfigurationError.self) {
            try GatewayConfiguration(environment: minimal.merging(["TLS_KEY_FILE": "/k.pem"]) { $1 })
        }
        #expect(keyOnly.problems.map(\.variable) == ["TLS_CERT_FILE"])
    }

    @Test("BOTS_CONFIG_FILE names each bot's token, path and secret")
    func botsFile() throws {
        let file = """
            [
              {"name": "support", "token": "1:aaa", "secret": "one"},
              {"name": "sales", "token": "2:bbb", "secret": "two", "path": "shop"},
              {"name": "ops", "token": "3:ccc", "secret": "three", "webhook_path": "/hooks/ops"}
            ]
            """
        let configuration = try GatewayConfiguration(environment: ["BOTS_CONFIG_FILE": "/bots.json"]) { path in
            #expect(path == "/bots.json")
            return Array(file.utf8)
        }
        #expect(configuration.bots.map(\.id.name) == ["support", "sales", "ops"])
        #expect(configuration.bots.map(\.webhookPath) == ["/webhook/support", "/webhook/shop", "/hooks/ops"])
        #expect(configuration.webhookBots.count == 3)
        #expect(!"\(configuration.bots)".contains("aaa"))
    }

    @Test("problems in BOTS_CONFIG_FILE name the entry")
    func badBotsFile() throws {
        let file = """
            [
              {"name": "a", "token": "1:aaa", "secret": "one"},
              {"name": "a", "token": "1:aaa", "secret": "bad secret", "path": "a"},
              {"token": "3:ccc"},
              {"name": "d", "secret": "x"}
            ]
            """
        let error = try #require(throws: ConfigurationError.self) {
            try GatewayConfiguration(environment: ["BOTS_CONFIG_FILE": "/bots.json", "TELEGRAM_BOT_TOKEN": "1:x"]) { _ in Array(file.utf8) }
        }
        #expect(error.problems.map(\.variable) == [
            "BOTS_CONFIG_FILE",
            "BOTS_CONFIG_FILE[a].secret", "BOTS_CONFIG_FILE[a].name", "BOTS_CONFIG_FILE[a].webhook_path", "BOTS_CONFIG_FILE[a].token",
            "BOTS_CONFIG_FILE[2].name",
            "BOTS_CONFIG_FILE[d].token",
        ])
        let unreadable = try #require(throws: ConfigurationError.self) {
            try GatewayConfiguration(environment: ["BOTS_CONFIG_FILE": "/bots.json"]) { _ in Array("{\"name\": 1}".utf8) }
        }
        #expect(unreadable.problems.count == 1)
        #expect(unreadable.description.hasPrefix("BOTS_CONFIG_FILE: /bots.json is not a JSON list"))
    }
}
