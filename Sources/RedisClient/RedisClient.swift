import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A pool of pipelined Redis connections, to one server or to the
/// primaries of a Redis Cluster (``RedisConfiguration/clusterNodes``).
///
/// Commands are pipelined on the pool's first live connection, many in
/// flight at once; the others stand by. Connections open on first use (or
/// when the service starts), and a dropped one is reopened in the background
/// with backoff: commands in flight on it fail at once with
/// ``RedisError/Code/connectionClosed``, later commands go to the standby
/// connections, and fail fast with
/// ``RedisError/Code/connectionUnavailable`` only while none is up.
///
/// In cluster mode each command goes to the primary of its keys' slot (keys
/// in two slots are refused with ``RedisError/Code/crossSlot`` before
/// anything is sent), pipelines are split per node, and redirects and
/// failovers are followed (see `ClusterRouter`).
///
/// Blocking commands (`BLMOVE`, `XREADGROUP … BLOCK`) must not run here:
/// they would stall every command pipelined behind them. Use
/// ``withDedicatedConnection(routingKey:_:)``.
public final class RedisClient: RedisCommandRunner, Service, Sendable {
    private enum Backend: Sendable {
        case standalone(ConnectionPool)
        case cluster(ClusterRouter)
    }

    public let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let backend: Backend
    private let roundTripCounter: RoundTripCounter

    static let closedError = RedisError(code: .clientClosed, message: "the Redis client was closed")

    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        let roundTrips = RoundTripCounter()
        self.roundTripCounter = roundTrips
        if configuration.clusterNodes.isEmpty {
            self.backend = .standalone(ConnectionPool(configuration: configuration, eventLoopGroup: eventLoopGroup, roundTrips: roundTrips, logger: logger))
        } else {
            self.backend = .cluster(ClusterRouter(configuration: configuration, eventLoopGroup: eventLoopGroup, roundTrips: roundTrips, logger: logger))
        }
    }

    /// Whether commands go to a Redis Cluster.
    public var isCluster: Bool {
        if case .cluster = backend { true } else { false }
    }

    /// Requests sent and awaited so far through this client, its dedicated
    /// connections included: each command or pipeline is one, however many
    /// commands it holds (a script's own commands run inside Redis; a
    /// pipeline split over cluster nodes counts once per node).
    public var roundTrips: Int {
        self.roundTripCounter.value
    }

    @discardableResult
    public func send(_ arguments: [RedisArgument], timeout: Duration? = nil) async throws -> RedisValue {
        switch backend {
        case .standalone(let pool): try await pool.connection().send(arguments, timeout: timeout)
        case .cluster(let router): try await router.send(arguments, timeout: timeout)
        }
    }

    public func pipeline(_ commands: [[RedisArgument]], timeout: Duration? = nil) async throws -> [Result<RedisValue, RedisError>] {
        switch backend {
        case .standalone(let pool): try await pool.connection().pipeline(commands, timeout: timeout)
        case .cluster(let router): try await router.pipeline(commands, timeout: timeout)
        }
    }

    /// How many times the cluster's slot map gave a slot a new primary (a
    /// failover or a reshard) since the client started; always 0 for one
    /// server. A caller that keeps indexes of other keys re-checks them
    /// when it changes: writes a dead primary acknowledged but had not yet
    /// passed to its replica are gone.
    public var topologyChanges: Int {
        if case .cluster(let router) = backend { router.topologyChanges } else { 0 }
    }

    /// Every key matching the glob `pattern` (on every primary in cluster
    /// mode), read with `SCAN … COUNT count`: for rare maintenance passes,
    /// not for request paths.
    public func scan(match pattern: String, count: Int = 1000) async throws -> [String] {
        switch backend {
        case .cluster(let router):
            return try await router.scan(match: pattern, count: count)
        case .standalone(let pool):
            return try await pool.connection().scanAll(match: pattern, count: count)
        }
    }

    /// Runs `body` with a connection of its own, closed afterwards: for
    /// blocking commands and `WATCH`/`MULTI`/`EXEC` across round trips. In
    /// cluster mode the connection goes to the primary of `routingKey`'s
    /// slot, so every key `body` uses must share that slot.
    public func withDedicatedConnection<Result: Sendable>(
        routingKey: RedisArgument? = nil,
        _ body: (RedisConnection) async throws -> Result
    ) async throws -> Result {
        if case .cluster(let router) = backend {
            return try await router.withDedicatedConnection(routingKey: routingKey, body)
        }
        return try await RedisConnection.using(configuration: configuration, eventLoop: eventLoopGroup.next(), roundTrips: roundTripCounter, body)
    }

    /// Opens every pooled connection (in cluster mode, after reading the slot
    /// map) and waits until each is up or has failed once; failures are
    /// retried in the background.
    public func connect() async {
        switch backend {
        case .standalone(let pool): await pool.connect()
        case .cluster(let router): await router.connect()
        }
    }

    /// Closes every connection; commands in flight and later fail with
    /// ``RedisError/Code/clientClosed``.
    public func close() async {
        switch backend {
        case .standalone(let pool): await pool.close()
        case .cluster(let router): await router.close()
        }
    }

    /// Opens the pool, then keeps it until graceful shutdown or cancellation.
    public func run() async throws {
        await connect()
        try? await gracefulShutdown()
        await close()
    }
}
