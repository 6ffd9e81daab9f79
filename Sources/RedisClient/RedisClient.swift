import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A pool of pipelined Redis connections.
///
/// Commands go round-robin to the pool's connections, many in flight on each.
/// Connections open on first use (or when the service starts), and a dropped
/// one is reopened in the background with backoff: commands in flight on it
/// fail at once with ``RedisError/Code/connectionClosed``, later commands go
/// to the other connections, and fail fast with
/// ``RedisError/Code/connectionUnavailable`` only while none is up.
///
/// Blocking commands (`BLMOVE`, `XREADGROUP … BLOCK`) must not run here:
/// they would stall every command pipelined behind them. Use
/// ``withDedicatedConnection(_:)``.
public final class RedisClient: RedisCommandRunner, Service, Sendable {
    public let configuration: RedisConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let slots: [ConnectionSlot]
    private let nextSlot = Atomic<Int>(0)
    private let roundTripCounter: RoundTripCounter

    static let closedError = RedisError(code: .clientClosed, message: "the Redis client was closed")

    public init(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger
    ) {
        precondition(configuration.poolSize > 0, "the Redis pool needs at least one connection")
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        let roundTrips = RoundTripCounter()
        self.roundTripCounter = roundTrips
        self.slots = (0..<configuration.poolSize).map { _ in
            ConnectionSlot(configuration: configuration, eventLoop: eventLoopGroup.next(), roundTrips: roundTrips, logger: logger)
        }
    }

    /// Requests sent and awaited so far through this client, its dedicated
    /// connections included: each command or pipeline is one, however many
    /// commands it holds (a script's own commands run inside Redis).
    public var roundTrips: Int {
        self.roundTripCounter.value
    }

    @discardableResult
    public func send(_ arguments: [RedisArgument], timeout: Duration? = nil) async throws -> RedisValue {
        try await connection().send(arguments, timeout: timeout)
    }

    public func pipeline(_ commands: [[RedisArgument]], timeout: Duration? = nil) async throws -> [Result<RedisValue, RedisError>] {
        try await connection().pipeline(commands, timeout: timeout)
    }

    /// Runs `body` with a connection of its own, closed afterwards: for
    /// blocking commands and `WATCH`/`MULTI`/`EXEC` across round trips.
    public func withDedicatedConnection<Result: Sendable>(
        _ body: (RedisConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await RedisConnection.connect(
            configuration: configuration,
            eventLoop: eventLoopGroup.next(),
            roundTrips: roundTripCounter
        ).get()
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Opens every pooled connection and waits until each is up or has
    /// failed once; failures are retried in the background.
    public func connect() async {
        for slot in slots { _ = slot.poll() }
        for slot in slots { _ = try? await slot.waitForConnection() }
    }

    /// Closes every connection; commands in flight and later fail with
    /// ``RedisError/Code/clientClosed``.
    public func close() async {
        for slot in slots { await slot.close() }
    }

    /// Opens the pool, then keeps it until graceful shutdown or cancellation.
    public func run() async throws {
        await connect()
        try? await gracefulShutdown()
        await close()
    }

    private func connection() async throws -> RedisConnection {
        let count = slots.count
        let start = Int(UInt(bitPattern: nextSlot.wrappingAdd(1, ordering: .relaxed).oldValue) % UInt(count))
        var connecting: ConnectionSlot?
        var lastError: RedisError?
        for offset in 0..<count {
            let slot = slots[(start + offset) % count]
            switch slot.poll() {
            case .connected(let connection):
                return connection
            case .connecting:
                if connecting == nil { connecting = slot }
            case .unavailable(let error):
                lastError = error
            case .closed:
                throw Self.closedError
            }
        }
        if let connecting {
            return try await connecting.waitForConnection()
        }
        throw ConnectionSlot.unavailable(lastError ?? RedisError(code: .connectFailed, message: "no connection attempt has finished"))
    }
}
