import Foundation
import RedisClient

extension GatewayConfiguration {
    /// Reads the configuration from environment variables (documented in
    /// `docs/configuration.md`) and, when `BOTS_CONFIG_FILE` is set, that file.
    ///
    /// - Parameters:
    ///   - environment: The variables, usually `ProcessInfo.processInfo.environment`.
    ///   - readFile: Reads a file's bytes; injectable for tests.
    /// - Throws: ``ConfigurationError`` listing every problem found, one per
    ///   variable or file entry; secrets are never quoted.
    public init(
        environment: [String: String],
        readFile: (String) throws -> [UInt8] = { path in Array(try Data(contentsOf: URL(fileURLWithPath: path))) }
    ) throws(ConfigurationError) {
        var env = EnvironmentReader(environment)

        let telegram = Telegram(
            apiURL: env.url("TELEGRAM_API_URL", default: "https://api.telegram.org", schemes: ["http", "https"]) ?? "",
            useWebhook: env.bool("TELEGRAM_USE_WEBHOOK", default: true),
            webhookURL: env.url("TELEGRAM_WEBHOOK_URL", default: nil, schemes: ["https"]),
            pollingTimeout: env.integer("TELEGRAM_POLLING_TIMEOUT", default: 30, in: 0...600),
            sendsPerSecond: env.integer("TELEGRAM_SENDS_PER_SECOND", default: 30, in: 1...100_000),
            chatSendsPerSecond: env.integer("TELEGRAM_CHAT_SENDS_PER_SECOND", default: 1, in: 1...10_000)
        )
        let webhookPath = env.string("TELEGRAM_WEBHOOK_PATH") ?? "/webhook"
        if !Self.isValidPath(webhookPath) {
            env.problem("TELEGRAM_WEBHOOK_PATH", "expected a path starting with / and without spaces, ? or #, got \"\(webhookPath)\"")
        }
        let bots = Self.readBots(&env, webhookPath: webhookPath, useWebhook: telegram.useWebhook, readFile: readFile)

        let tls = Self.readTLS(&env, certificate: "TLS_CERT_FILE", key: "TLS_KEY_FILE")
        let host = env.string("GATEWAY_HOST") ?? "0.0.0.0"
        let server = Server(
            host: host,
            port: env.integer("GATEWAY_PORT", default: 8443, in: 0...65535),
            tls: tls,
            maxBodyBytes: env.integer("GATEWAY_MAX_BODY_BYTES", default: 1 << 20, in: 1024...(64 << 20)),
            addressPolicy: ClientAddressPolicy(
                allowlist: env.networks("TELEGRAM_IP_ALLOWLIST", allowTelegram: true),
                trustedProxies: env.networks("TRUSTED_PROXIES", allowTelegram: false) ?? []
            ),
            shutdownTimeout: env.seconds("GATEWAY_SHUTDOWN_TIMEOUT", default: .seconds(10)),
            limits: Self.readIngressLimits(&env)
        )

        let admin = Admin(
            host: env.string("ADMIN_HOST") ?? "127.0.0.1",
            port: env.integer("ADMIN_PORT", default: 9090, in: 0...65535),
            tls: Self.readTLS(&env, certificate: "ADMIN_TLS_CERT_FILE", key: "ADMIN_TLS_KEY_FILE")
        )
        if admin.port != 0, admin.port == server.port, admin.host == server.host {
            env.problem("ADMIN_PORT", "\(admin.port) is GATEWAY_PORT too; the admin listener needs a port of its own")
        }

        let logging = Logging(
            level: env.logLevel("LOG_LEVEL", default: .info),
            format: {
                guard let text = env.string("LOG_FORMAT") else { return .json }
                guard let format = LogFormat(rawValue: text.lowercased()) else {
                    env.problem("LOG_FORMAT", "expected json or text, got \"\(text)\"")
                    return .json
                }
                return format
            }()
        )
        let stepTimeout = env.seconds("STEP_TIMEOUT", default: .seconds(30))
        let dispatcher = InProcessDispatcher.Configuration(
            capacity: env.integer("DISPATCHER_CAPACITY", default: 1024, in: 1...1_000_000),
            concurrency: env.integer("DISPATCHER_CONCURRENCY", default: 16, in: 1...4096),
            drainTimeout: server.shutdownTimeout,
            stepTimeout: stepTimeout
        )

        let redis = Self.readRedis(&env, concurrency: dispatcher.concurrency, stepTimeout: stepTimeout, port: server.port)
        let downstream = DownstreamConfiguration(reading: &env)
        let defaults = RateLimitPolicy()
        let rateLimits = RateLimitPolicy(
            messagesPerMinute: env.integer("RATE_LIMIT_MESSAGES_PER_MINUTE", default: defaults.messagesPerMinute, in: 1...1_000_000),
            messagesPerHour: env.integer("RATE_LIMIT_MESSAGES_PER_HOUR", default: defaults.messagesPerHour, in: 1...1_000_000),
            commandsPerMinute: env.integer("RATE_LIMIT_COMMANDS_PER_MINUTE", default: defaults.commandsPerMinute, in: 1...1_000_000)
        )

        let api = Self.readOperatorAPI(&env, readFile: readFile)
        let threads = Threads(
            listener: env.integer("GATEWAY_LISTENER_THREADS", default: Threads.defaultCount, in: 1...256),
            client: env.integer("GATEWAY_CLIENT_THREADS", default: Threads.defaultCount, in: 1...256)
        )

        guard env.problems.isEmpty else { throw ConfigurationError(problems: env.problems) }
        self.init(
            bots: bots, telegram: telegram, server: server, admin: admin, logging: logging, dispatcher: dispatcher, redis: redis,
            downstream: downstream, rateLimits: rateLimits, api: api, threads: threads)
    }

    /// The durable pipeline's settings, or nil without `REDIS_URL`. The other
    /// `REDIS_*` variables are checked either way, so a typo never waits for
    /// the day Redis is switched on.
    private static func readRedis(_ env: inout EnvironmentReader, concurrency: Int, stepTimeout: Duration, port: Int) -> Redis? {
        let day = 86400
        let pipeline = DurablePipelineConfiguration(
            keyPrefix: {
                let prefix = env.string("REDIS_KEY_PREFIX") ?? "gw"
                if !((1...64).contains(prefix.count) && prefix.allSatisfy({ $0.isTokenCharacter || $0 == ":" || $0 == "." })) {
                    env.problem("REDIS_KEY_PREFIX", "expected 1-64 of A-Z a-z 0-9 _ - : . (braces would break the hash tags), got \"\(prefix)\"")
                }
                return prefix
            }(),
            fsmTTL: .seconds(env.integer("REDIS_FSM_TTL", default: 3600, in: 1...(30 * day))),
            sessionTTL: .seconds(env.integer("REDIS_SESSION_TTL", default: day, in: 1...(365 * day))),
            leaseTimeout: env.seconds("REDIS_LEASE_TIMEOUT", default: .seconds(15)),
            conversationCap: env.integer("REDIS_INBOX_CAP", default: 1000, in: 1...1_000_000),
            concurrency: concurrency,
            stepTimeout: stepTimeout,
            instanceID: {
                let id = env.string("INSTANCE_ID") ?? InstanceIdentity.defaultID(port: port)
                if !InstanceIdentity.isValid(id) {
                    env.problem("INSTANCE_ID", "expected 1-128 of A-Z a-z 0-9 _ - . :, got \"\(id)\"")
                }
                return id
            }(),
            heartbeatInterval: env.seconds("INSTANCE_HEARTBEAT_INTERVAL", default: .seconds(1)),
            deadLetterAfter: env.integer("DEAD_LETTER_AFTER", default: 5, in: 1...100)
        )
        var clusterNodes: [RedisNodeAddress] = []
        if let nodes = env.string("REDIS_CLUSTER_NODES") {
            do {
                clusterNodes = try RedisNodeAddress.list(nodes)
            } catch {
                env.problem("REDIS_CLUSTER_NODES", error.message)
            }
        }
        guard let url = env.string("REDIS_URL") else {
            if !clusterNodes.isEmpty {
                env.problem("REDIS_CLUSTER_NODES", "needs REDIS_URL too (redis://[user:password@]one-of-the-nodes): its credentials are used on every node")
            }
            return nil
        }
        do {
            var connection = try RedisConfiguration(url: url)
            connection.clusterNodes = clusterNodes
            connection.poolSize = env.integer("REDIS_POOL_SIZE", default: connection.poolSize, in: 1...64)
            if !clusterNodes.isEmpty && connection.database != 0 {
                env.problem("REDIS_URL", "a Redis Cluster has only database 0; drop the /\(connection.database) from the URL")
            }
            return Redis(connection: connection, pipeline: pipeline)
        } catch {
            // RedisError's message never quotes the URL, which may hold a password.
            env.problem("REDIS_URL", error.message)
            return nil
        }
    }

    /// A certificate and key given together, or neither (plain HTTP).
    private static func readIngressLimits(_ env: inout EnvironmentReader) -> IngressLimits {
        let defaults = IngressLimits()
        return IngressLimits(
            maxConnections: env.integer("GATEWAY_MAX_CONNECTIONS", default: defaults.maxConnections, in: 1...1_000_000),
            headerTimeout: env.seconds("GATEWAY_HEADER_TIMEOUT", default: defaults.headerTimeout),
            bodyTimeout: env.seconds("GATEWAY_BODY_TIMEOUT", default: defaults.bodyTimeout),
            idleTimeout: env.seconds("GATEWAY_IDLE_TIMEOUT", default: defaults.idleTimeout),
            maxHeaderBytes: env.integer("GATEWAY_MAX_HEADER_BYTES", default: defaults.maxHeaderBytes, in: 1024...(1 << 20)),
            maxHeaderCount: env.integer("GATEWAY_MAX_HEADERS", default: defaults.maxHeaderCount, in: 8...10_000)
        )
    }

    private static func readTLS(_ env: inout EnvironmentReader, certificate: String, key: String) -> TLSFiles? {
        switch (env.string(certificate), env.string(key)) {
        case (let certificateFile?, let keyFile?):
            return TLSFiles(certificateFile: certificateFile, privateKeyFile: keyFile)
        case (.some, nil):
            env.problem(key, "required when \(certificate) is set (set both for TLS, neither for plain HTTP)")
        case (nil, .some):
            env.problem(certificate, "required when \(key) is set (set both for TLS, neither for plain HTTP)")
        case (nil, nil):
            break
        }
        return nil
    }

    private static func readBots(
        _ env: inout EnvironmentReader,
        webhookPath: String,
        useWebhook: Bool,
        readFile: (String) throws -> [UInt8]
    ) -> [Bot] {
        let token = env.string("TELEGRAM_BOT_TOKEN")
        let secret = env.string("TELEGRAM_WEBHOOK_SECRET")
        guard let file = env.string("BOTS_CONFIG_FILE") else {
            Self.check(token: token, secret: secret, useWebhook: useWebhook, tokenName: "TELEGRAM_BOT_TOKEN", secretName: "TELEGRAM_WEBHOOK_SECRET", &env)
            guard let token else { return [] }
            return [Bot(id: .single, token: token, webhookPath: webhookPath, webhookSecret: secret)]
        }
        if token != nil {
            env.problem("BOTS_CONFIG_FILE", "cannot be combined with TELEGRAM_BOT_TOKEN; list every bot in the file, or unset one of them")
        }
        if secret != nil {
            env.problem("TELEGRAM_WEBHOOK_SECRET", "not used with BOTS_CONFIG_FILE, where each bot has its own secret; unset it")
        }
        let parsed: BotsConfigFile
        do {
            parsed = try BotsConfigFile.parse(try readFile(file))
        } catch let error as DecodingError {
            env.problem("BOTS_CONFIG_FILE", "\(file) is not a JSON list of {name, kind, token, secret, path or webhook_path, …}: \(Self.describe(error))")
            return []
        } catch {
            env.problem("BOTS_CONFIG_FILE", "cannot read \(file): \(error.localizedDescription)")
            return []
        }
        if parsed.entries.isEmpty {
            env.problem("BOTS_CONFIG_FILE", "\(file) lists no bots")
        }
        var bots: [Bot] = []
        var seenNames: Set<String> = []
        var seenPaths: Set<String> = []
        var seenTokens: Set<String> = []
        for (index, entry) in parsed.entries.enumerated() {
            let label = "BOTS_CONFIG_FILE[\(index)]"
            guard let name = entry.name, Self.isValidName(name) else {
                env.problem("\(label).name", "required: 1-64 of A-Z a-z 0-9 _ -")
                continue
            }
            let prefix = "BOTS_CONFIG_FILE[\(name)]"
            Self.check(token: entry.token, secret: entry.secret, useWebhook: useWebhook, tokenName: "\(prefix).token", secretName: "\(prefix).secret", &env)
            let path: String
            if let full = entry.webhookPath {
                path = full
                if entry.path != nil {
                    env.problem("\(prefix).path", "give either path (a suffix) or webhook_path (a full route), not both")
                }
            } else {
                let suffix = entry.path.map { $0.hasPrefix("/") ? String($0.dropFirst()) : $0 } ?? name
                path = webhookPath.hasSuffix("/") ? webhookPath + suffix : webhookPath + "/" + suffix
            }
            if !Self.isValidPath(path) {
                env.problem("\(prefix).webhook_path", "expected a path starting with / and without spaces, ? or #, got \"\(path)\"")
            }
            if !seenNames.insert(name).inserted {
                env.problem("\(prefix).name", "used by more than one bot")
            }
            if !seenPaths.insert(path).inserted {
                env.problem("\(prefix).webhook_path", "\(path) is used by more than one bot")
            }
            guard let token = entry.token else { continue }
            if !seenTokens.insert(token).inserted {
                env.problem("\(prefix).token", "the same token is given to more than one bot")
            }
            bots.append(Bot(
                id: BotID(name), token: token, webhookPath: path, webhookSecret: entry.secret,
                kind: entry.kind ?? Bot.defaultKind, settings: entry.settings))
        }
        return bots
    }

    private static func check(
        token: String?,
        secret: String?,
        useWebhook: Bool,
        tokenName: String,
        secretName: String,
        _ env: inout EnvironmentReader
    ) {
        if let token, !Self.isValidToken(token) {
            // The value is never quoted: a near-miss token is still a secret.
            env.problem(tokenName, "not a bot token: expected digits, a colon, then letters, digits, _ or - (as @BotFather gives it)")
        } else if token == nil {
            let alternative = tokenName == "TELEGRAM_BOT_TOKEN" ? " (or list several bots in BOTS_CONFIG_FILE)" : ""
            env.problem(tokenName, "required: the bot's token from @BotFather\(alternative)")
        }
        if let secret {
            if !Self.isValidSecret(secret) {
                env.problem(secretName, "must be 1-256 characters of A-Z a-z 0-9 _ - (Telegram's rule for secret_token)")
            }
        } else if useWebhook {
            env.problem(secretName, "required in webhook mode: 1-256 characters of A-Z a-z 0-9 _ -, given to setWebhook as secret_token")
        }
    }

    static func isValidToken(_ token: String) -> Bool {
        let parts = token.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return parts[0].allSatisfy(\.isASCIIDigit) && parts[1].allSatisfy(\.isTokenCharacter)
    }

    static func isValidSecret(_ secret: String) -> Bool {
        (1...256).contains(secret.count) && secret.allSatisfy(\.isTokenCharacter)
    }

    static func isValidName(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy(\.isTokenCharacter)
    }

    static func isValidPath(_ path: String) -> Bool {
        path.hasPrefix("/") && !path.contains(where: { $0 == " " || $0 == "?" || $0 == "#" || $0.isNewline })
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return Self.describe(context)
        @unknown default:
            return "undecodable"
        }
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
        return path.isEmpty ? context.debugDescription : "at \(path): \(context.debugDescription)"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }

    fileprivate var isTokenCharacter: Bool {
        ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self.isASCIIDigit || self == "_" || self == "-"
    }
}
