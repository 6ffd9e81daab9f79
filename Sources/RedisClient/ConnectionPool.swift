import Logging
import NIOCore
import Synchronization

/// Pipelined connections to one server, used round-robin: a dropped one is
/// reopened in the background while the others carry the commands.
final class ConnectionPool: Sendable {
    let configuration: RedisConfiguration
    private let slots: [ConnectionSlot]
    private let nextSlot = Atomic<Int>(0)

    init(configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup, roundTrips: RoundTripCounter, logger: Logger) {
        precondition(configuration.poolSize > 0, "the Redis pool needs at least one connection")
        self.configuration = configuration
        self.slots = (0..<configuration.poolSize).map { _ in
            ConnectionSlot(configuration: configuration, eventLoop: eventLoopGroup.next(), roundTrips: roundTrips, logger: logger)
        }
    }

    /// Opens every connection and waits until each is up or has failed once.
    func connect() async {
        for slot in slots { _ = slot.poll() }
        for slot in slots { _ = try? await slot.waitForConnection() }
    }

    func close() async {
        for slot in slots { await slot.close() }
    }

    /// A live connection, the next in turn; waits for one being opened when
    /// none is up, and fails fast when every one is backing off.
    func connection() async throws -> RedisConnection {
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
                throw RedisClient.closedError
            }
        }
        if let connecting {
            return try await connecting.waitForConnection()
        }
        throw ConnectionSlot.unavailable(lastError ?? RedisError(code: .connectFailed, message: "no connection attempt has finished"))
    }
}
