public import CurlHTTP
public import Localization
public import Logging
public import Persistence
public import RedisClient
public import ServiceClients

/// What the gateway hands a ``BotKind`` to build one bot: the configuration,
/// the shared parts (catalogs, HTTP client, storage, language preferences,
/// localized notices) and the bot's own (its profile, its command directory).
public struct BotContext: Sendable {
    /// The whole configuration, read once at start.
    public let configuration: GatewayConfiguration
    /// The message catalogs (`locales/`).
    public let catalogs: Catalogs
    /// The one HTTP client of the process (Bot API and downstream calls).
    public let httpClient: HTTPClient
    /// The gateway's logger.
    public let logger: Logger
    /// Redis, when the durable pipeline runs on it (`REDIS_URL`).
    public let redis: RedisClient?
    /// The prefix of every Redis key (`REDIS_KEY_PREFIX`).
    public let keyPrefix: String
    /// PostgreSQL when `DATABASE_URL` is set: its pool runs, but the server
    /// may be away (see ``Persistence/DatabaseConnector``), so a step never
    /// waits on it.
    public let database: Database?
    /// Where users' `/language` choices are kept.
    public let preferences: any LanguagePreferences
    /// The rate-limit and refusal notices in the user's language.
    public let notices: LocalizedNotices
    /// What Telegram says about this bot (its username), filled in at start.
    public let profile: BotProfile
    let directories: CommandDirectories
    /// One limit on calls in flight per named service, shared by every bot.
    public let bulkheads: ServiceBulkheads
    /// Where every service client tallies its attempts, for `/status`.
    public let serviceHealth: ServiceHealthBoard
    /// Where a bot keeps updates it gives up on: Redis (with a history row
    /// in PostgreSQL when configured), or memory without Redis.
    public let deadLetters: any DeadLetterStore
    /// What `/status` shows: instances, queues, dependencies.
    public let status: any StatusSource
    /// What admins change with `/settings`, shared by every bot and instance.
    public let settings: RuntimeSettings
    /// Sends `/broadcast`s; nil unless both Redis and PostgreSQL are configured
    /// (the audience comes from `bot_sessions`, the sending state lives in Redis).
    public let broadcasts: BroadcastEngine?

    /// The command routes of `catalog` in `bot_commands`, kept current on
    /// every instance; `defaults` where no database is configured, and until
    /// the table loads when PostgreSQL is away at start.
    public func commands(catalog: String, defaults: [CommandRoute]) async -> any CommandDirectory {
        await self.directories.directory(catalog: catalog, defaults: defaults)
    }

    /// A client of the named downstream service (`<NAME>_SERVICE_URL`),
    /// with the configured retries and circuit breaker.
    /// - Throws: ``ConfigurationError`` naming the variable when it is not set.
    public func serviceClient(named service: String) throws(ConfigurationError) -> ServiceClient {
        let configuration = try self.configuration.downstream.clientConfiguration(for: service)
        return ServiceClient(
            configuration: configuration,
            httpClient: self.httpClient,
            logger: self.logger,
            bulkhead: self.bulkheads.bulkhead(for: service, limit: configuration.concurrency),
            health: self.serviceHealth
        )
    }
}
