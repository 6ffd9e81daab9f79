import Conversations
import CurlHTTP
import Foundation
import Gateway
import Localization
import Logging
import RedisClient
import Synchronization
import TelegramBotAPI
import TelegramEmulator
import UKServiceFakes
import GatewayTestSupport
import Testing

/// Everything one end-to-end test runs against: the emulator's fake
/// Telegram and fake services on 127.0.0.1, a key prefix of its own in the
/// test command's Redis, a fresh PostgreSQL database, and the real
/// `bot-gateway serve` as a child process configured only by environment
/// variables, whose webhook the fake Telegram delivers to over HTTP.
///
/// ```swift
/// try await BotWorld.run { world in
///     let alice = world.privateUser(id: 1001, firstName: "Alice")
///     let menu = try await alice.command("start")
/// }
/// ```
///
/// When a test records an issue, the suite's ``BotWorld/logsOnFailure``
/// trait adds the gateway's output to it.
final class BotWorld: Sendable {
    /// What a test changes about its world.
    struct Options: Sendable {
        /// Variables added to (or replacing) the gateway's environment.
        var environment: [String: String] = [:]
        /// People the fake services know beforehand; others register as applicants.
        var users: [ServiceUser] = []
        /// PostgreSQL is reached through ``BotWorld/databaseProxy``, closed
        /// until the test opens it: the database is away when the gateway starts.
        var databaseAway = false
        /// Telegram's limits, as the fake enforces them (off unless a test turns them on).
        var limits = FakeTelegram.Limits()
        /// How the fake Telegram retries a webhook that failed.
        var webhook = FakeTelegram.WebhookSettings()
        /// A Redis Cluster to run on (`REDIS_CLUSTER_NODES`) instead of the test command's Redis.
        var redisCluster: TestRedisCluster?
    }

    static let webhookSecret = "e2e-webhook-secret"
    /// The repository, found from this file.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let catalogs: Catalogs = {
        do {
            return try Catalogs.load(directory: repository.appendingPathComponent("locales"))
        } catch {
            fatalError("the repository's locales/ do not load: \(error)")
        }
    }()

    /// The world of the test running in this task, for the failure report.
    @TaskLocal static var current: BotWorld?

    let telegram: FakeTelegram
    let services: FakeServices
    let redis: RedisClient
    let keys: RedisKeyspace
    let database: ScratchDatabase
    /// Between the gateway and PostgreSQL when ``Options/databaseAway``.
    let databaseProxy: TCPProxy?
    /// The gateway's environment; every child of this world gets the same.
    let environment: [String: String]
    let http: HTTPClient
    private let children = Mutex<[GatewayProcess]>([])
    private let reported = Atomic<Bool>(false)
    private let logger = Logger(label: "uk-e2e")

    private init(
        telegram: FakeTelegram,
        services: FakeServices,
        redis: RedisClient,
        keys: RedisKeyspace,
        database: ScratchDatabase,
        databaseProxy: TCPProxy?,
        environment: [String: String],
        http: HTTPClient
    ) {
        self.telegram = telegram
        self.services = services
        self.redis = redis
        self.keys = keys
        self.database = database
        self.databaseProxy = databaseProxy
        self.environment = environment
        self.http = http
    }

    /// Builds a world, starts the gateway, runs `body`, and tears everything
    /// down — also when `body` fails, whose error becomes the test's issue
    /// (with the gateway's logs attached).
    /// - Throws: when the world cannot be built (no `REDIS_URL`, no database).
    static func run(_ options: Options = Options(), _ body: (BotWorld) async throws -> Void) async throws {
        guard let redisURL = options.redisCluster.map({ "redis://\($0.nodes[0])" }) ?? ProcessInfo.processInfo.environment["REDIS_URL"] else {
            throw HarnessError("REDIS_URL is not set: run ./scripts/test.sh, or export REDIS_URL=redis://127.0.0.1:6379")
        }
        let database = try await ScratchDatabase.create()
        let telegram = FakeTelegram(configuration: .init(limits: options.limits, webhook: options.webhook))
        let services = FakeServices(configuration: .init(users: options.users))
        let http: HTTPClient
        do {
            http = try HTTPClient()
        } catch {
            try? await database.drop()
            throw error
        }
        do {
            try await telegram.start()
            try await services.start()
        } catch {
            await telegram.shutdown()
            await http.shutdown()
            try? await database.drop()
            throw error
        }
        let prefix = "e2e-" + UUID().uuidString.prefix(8).lowercased()
        var redisConfiguration = try RedisConfiguration(url: redisURL)
        redisConfiguration.poolSize = 1
        redisConfiguration.clusterNodes = options.redisCluster?.configuration.clusterNodes ?? []
        var environment = [
            "TELEGRAM_BOT_TOKEN": telegram.configuration.token,
            "TELEGRAM_API_URL": telegram.baseURL,
            "TELEGRAM_WEBHOOK_SECRET": Self.webhookSecret,
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": "0",
            "ADMIN_PORT": "0",
            "GATEWAY_SHUTDOWN_TIMEOUT": "2",
            "REDIS_URL": redisURL,
            "REDIS_KEY_PREFIX": prefix,
            "DATABASE_URL": database.url,
            "DATABASE_POOL_SIZE": "4",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "info",
            "LOCALES_DIR": Self.repository.appendingPathComponent("locales").path,
            "MIGRATIONS_DIR": Self.repository.appendingPathComponent("Migrations").path,
            // Far above what a test sends, except where a test is about the limits.
            "RATE_LIMIT_MESSAGES_PER_MINUTE": "1000",
            "RATE_LIMIT_MESSAGES_PER_HOUR": "10000",
            "RATE_LIMIT_COMMANDS_PER_MINUTE": "1000",
        ]
        var databaseProxy: TCPProxy?
        if options.databaseAway, var components = URLComponents(string: database.url) {
            let proxy = try TCPProxy(targetHost: components.host ?? "127.0.0.1", targetPort: components.port ?? 5432)
            components.host = "127.0.0.1"
            components.port = proxy.port
            environment["DATABASE_URL"] = components.string
            databaseProxy = proxy
        }
        for service in ["AUTH", "USER", "REQUEST", "SHIFT", "ANALYTICS"] {
            environment["\(service)_SERVICE_URL"] = services.baseURL
        }
        if let cluster = options.redisCluster {
            environment["REDIS_CLUSTER_NODES"] = cluster.seeds
        }
        environment.merge(options.environment) { $1 }

        let world = BotWorld(
            telegram: telegram,
            services: services,
            redis: RedisClient(configuration: redisConfiguration, logger: Logger(label: "uk-e2e-redis")),
            keys: RedisKeyspace(prefix: prefix),
            database: database,
            databaseProxy: databaseProxy,
            environment: environment,
            http: http
        )
        await Self.$current.withValue(world) {
            do {
                try await world.startGateway()
                try await body(world)
            } catch {
                Issue.record(error)
            }
        }
        await world.tearDown()
    }

    /// Starts a `bot-gateway serve` child with the world's environment and
    /// points the fake Telegram's webhook at it.
    @discardableResult
    func startGateway() async throws -> GatewayProcess {
        let child = try self.children.withLock { children in
            let child = try GatewayProcess(number: children.count + 1, environment: self.environment)
            children.append(child)
            return child
        }
        let port = try await child.listeningPort()
        let client = BotAPIClient(
            configuration: .init(token: self.telegram.configuration.token, baseURL: self.telegram.baseURL),
            httpClient: self.http,
            logger: self.logger
        )
        try await client.setWebhook(SetWebhook(url: "http://127.0.0.1:\(port)/webhook", secretToken: Self.webhookSecret))
        return child
    }

    /// `GET /ready` on the newest child's admin listener: status and body.
    func ready() async throws -> (status: Int, body: String) {
        guard let port = try await self.gateway?.adminPort() else { throw HarnessError("no bot-gateway was started") }
        let response = try await self.http.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/ready", timeout: .seconds(5)))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// The newest gateway child.
    var gateway: GatewayProcess? {
        self.children.withLock { $0.last }
    }

    /// Every gateway child started, oldest first.
    var gateways: [GatewayProcess] {
        self.children.withLock { $0 }
    }

    /// Every log line of every child so far, oldest child first.
    var logs: [LogLine] {
        self.children.withLock { $0 }.flatMap(\.logs)
    }

    // MARK: Users

    /// A user in a private chat with the bot.
    func privateUser(id: Int64, firstName: String, languageCode: String = "en") -> Chatter {
        Chatter(world: self, user: self.telegram.privateUser(id: id, firstName: firstName, languageCode: languageCode))
    }

    /// A group the bot is in, with members who each talk to the bot in it.
    func group(id: Int64, members: [(id: Int64, firstName: String)], languageCode: String = "en") -> [Chatter] {
        let group = self.telegram.group(id: id, title: "Block 4 residents")
        return members.map { Chatter(world: self, user: group.member(id: $0.id, firstName: $0.firstName, languageCode: languageCode)) }
    }

    /// Runs `scenarios` at once. Telegram paces replies per chat, so scenarios
    /// in chats of their own take the time of the longest, not the sum. A
    /// scenario's error is recorded as an issue without stopping the others.
    func concurrently(_ scenarios: [@Sendable () async throws -> Void]) async {
        await withTaskGroup(of: Void.self) { group in
            for scenario in scenarios {
                group.addTask {
                    do {
                        try await scenario()
                    } catch {
                        Issue.record(error)
                    }
                }
            }
        }
    }

    /// The localized text of `key`, as the catalogs of `locales/` render it.
    static func text(_ key: String, _ locale: LocaleCode, _ arguments: [String: MessageArgument] = [:]) -> String {
        let text = Self.catalogs.text(key, locale: locale, arguments: arguments)
        precondition(text != key, "no catalog has \(key)")
        return text
    }

    // MARK: Inspection

    /// Waits until the gateway logged `update handled` for `update`, whatever it decided.
    func waitUntilHandled(_ update: Update, timeout: Duration = .seconds(20)) async throws {
        let correlation = "\(BotID.single.name):\(update.updateID)"
        try await waitUntil("update \(update.updateID) to be handled", timeout: timeout) {
            self.logs.contains { $0.message == "update handled" && $0.metadata["correlation_id"] == correlation }
        }
    }

    /// The conversation state the gateway keeps in Redis for `conversation` (`chat` or `chat:user`), if any.
    func storedState(_ conversation: String) async throws -> ConversationState? {
        let reply = try await self.redis.send(["GET", .string(self.keys.conversation(conversation, of: .single).state)])
        return try reply.bytes.map(ConversationState.decode)
    }

    /// Waits until the gateway no longer counts a press by `user` as a
    /// repeat: the same button pressed again within 1.5 s counts once, and
    /// its marker key lives that long.
    func waitForRepeatPressWindow(_ user: Chatter) async throws {
        let markers = self.keys.user(user.id, of: .single).press("")
        try await waitUntil("the repeat-press window of user \(user.id) to pass") {
            try await self.redisKeys().allSatisfy { !$0.hasPrefix(markers) }
        }
    }

    /// Every key of this world's prefix in Redis.
    func redisKeys() async throws -> [String] {
        try await TestRedis.keys(prefix: self.keys.prefix, on: self.redis)
    }

    /// This world's Redis keys with their types and a short view of their
    /// values, for a report when a wait ran out.
    func redisDump() async -> String {
        do {
            var lines: [String] = []
            for key in try await self.redisKeys().sorted() {
                let type = try await self.redis.send(["TYPE", .string(key)]).string ?? "?"
                let ttl = try await self.redis.send(["PTTL", .string(key)]).int ?? -1
                let value: String = switch type {
                case "string": try await self.redis.send(["GET", .string(key)]).string.map { String($0.prefix(120)) } ?? "nil"
                case "list": "\(try await self.redis.send(["LRANGE", .string(key), 0, -1]).array?.compactMap(\.string).map { String($0.prefix(80)) } ?? [])"
                case "zset": "\(try await self.redis.send(["ZRANGE", .string(key), 0, -1, "WITHSCORES"]).array?.compactMap(\.string) ?? [])"
                default: ""
                }
                lines.append("  \(key) \(type) pttl=\(ttl) \(value)")
            }
            return "Redis keys at \(RedisClock.milliseconds()) ms:\n" + lines.joined(separator: "\n")
        } catch {
            return "Redis keys: \(error)"
        }
    }

    /// Deletes every key of this world's prefix: what `FLUSHALL` would do to
    /// this gateway, without touching other tests' keys.
    func flushRedis() async throws {
        try await TestRedis.deleteKeys(prefix: self.keys.prefix, on: self.redis)
    }

    // MARK: Failure report

    /// The suite trait that adds the gateway's output to the first issue a test records.
    static var logsOnFailure: some SuiteTrait & TestTrait {
        .compactMapIssues { issue in
            guard let world = BotWorld.current, !world.reported.exchange(true, ordering: .relaxed) else { return issue }
            var annotated = issue
            annotated.comments.append(Comment(rawValue: world.report()))
            return annotated
        }
    }

    private func report() -> String {
        let children = self.children.withLock { $0 }
        guard !children.isEmpty else { return "no bot-gateway was started" }
        return children.map { $0.report() }.joined(separator: "\n")
    }

    private func tearDown() async {
        for child in self.children.withLock({ $0 }) {
            await child.stop(grace: .seconds(5))
        }
        await self.databaseProxy?.close()
        await self.telegram.shutdown()
        await self.services.shutdown()
        await self.http.shutdown()
        try? await self.flushRedis()
        await self.redis.close()
        try? await self.database.drop()
    }
}

/// Milliseconds since 1970, the scores the gateway's sorted sets use.
enum RedisClock {
    static func milliseconds() -> Int {
        Int(Date().timeIntervalSince1970 * 1000)
    }
}
