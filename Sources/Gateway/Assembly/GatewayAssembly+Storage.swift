import Conversations
import Persistence
import RedisClient
import ServiceLifecycle

extension GatewayAssembly {
    /// Where state lives: Redis when configured, else this process's memory;
    /// PostgreSQL's repositories and batched writers when a database is given,
    /// none of them on a step's path (the connector brings the database in
    /// whenever it answers).
    struct Storage {
        var redis: RedisClient?
        var keyPrefix: String
        var conversations: any ConversationStore
        var rateLimits: any RateLimitStore
        /// Writes users' activity and language choices to PostgreSQL behind.
        var activityWriter: SessionActivityWriter?
        var activity: ActivityMiddleware?
        /// Batches usage events into `bot_metrics` and its rollups.
        var metricsRecorder: MetricsRecorder?
        var readiness = ReadinessChecks()
        var redisRoundTrips: RedisRoundTripMetric?
        var directories: CommandDirectories
        /// Started first, stopped last.
        var services: [any Service] = []

        static func build(_ inputs: Inputs) -> Storage {
            let configuration = inputs.configuration
            let logger = inputs.logger
            let pipeline = configuration.redis?.pipeline ?? DurablePipelineConfiguration()
            let redis = configuration.redis.map { RedisClient(configuration: $0.connection, logger: logger) }
            var storage: Storage
            if let redis {
                storage = Storage(
                    redis: redis,
                    keyPrefix: pipeline.keyPrefix,
                    conversations: RedisConversationStore(
                        client: redis, keyPrefix: pipeline.keyPrefix, fsmTTL: pipeline.fsmTTL, sessionTTL: pipeline.sessionTTL),
                    rateLimits: RedisRateLimitStore(client: redis, keyPrefix: pipeline.keyPrefix),
                    redisRoundTrips: RedisRoundTripMetric(client: redis, registry: inputs.registry),
                    directories: CommandDirectories(database: inputs.database, connector: inputs.databaseConnector, logger: logger)
                )
                storage.services.append(redis)
                storage.readiness.register(RedisReadinessCheck(client: redis))
            } else {
                storage = Storage(
                    keyPrefix: pipeline.keyPrefix,
                    conversations: InMemoryConversationStore(clock: ContinuousClock(), fsmTTL: pipeline.fsmTTL, sessionTTL: pipeline.sessionTTL),
                    rateLimits: InMemoryRateLimitStore(),
                    directories: CommandDirectories(database: inputs.database, connector: inputs.databaseConnector, logger: logger)
                )
            }
            if let database = inputs.database {
                storage.readiness.register(PostgresReadinessCheck(database: database, connector: inputs.databaseConnector))
                let repository = SessionRepository(database: database, logger: logger)
                if let connector = inputs.databaseConnector {
                    let conversations = storage.conversations
                    connector.whenConnected {
                        await LanguageCatchUp.run(sessions: repository, store: conversations, logger: logger)
                    }
                    storage.services.append(connector)
                }
                let activity = SessionActivityWriter(store: repository, logger: logger)
                storage.activityWriter = activity
                let metrics = MetricsRecorder(repository: MetricsRepository(database: database, logger: logger), logger: logger)
                storage.metricsRecorder = metrics
                storage.services += [activity, metrics]
                storage.activity = ActivityMiddleware(activity: activity, metrics: metrics)
                storage.services.append(DatabaseJanitor(
                    callbacks: CallbackPayloadStore(database: database, logger: logger),
                    metrics: MetricsRepository(database: database, logger: logger),
                    logger: logger
                ))
            }
            return storage
        }
    }
}
