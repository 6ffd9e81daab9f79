import Logging
import NIOCore

/// Pipelined connections to one server. Every command goes to the first
/// live one; the others stand by, open, and carry the commands at once
/// while it is reopened after a drop.
///
/// One connection carries everything because pipelining is what makes
/// Redis cheap: Redis spends ~30 µs of CPU per socket read and write, far
/// more than most commands, and commands queued together on one connection
/// share them. Spread round-robin over four connections, the same load cost
/// Redis 10–15 % more CPU per update and the gateway 4–7 % more
/// (`docs/performance.md`, round 2, tenth session).
final class ConnectionPool: Sendable {
    let configuration: RedisConfiguration
    private let slots: [ConnectionSlot]

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

    /// The first live connection; waits for one being opened when none is
    /// up, and fails fast when every one is backing off.
    func connection() async throws -> RedisConnection {
        var connecting: ConnectionSlot?
        var lastError: RedisError?
        for slot in slots {
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
