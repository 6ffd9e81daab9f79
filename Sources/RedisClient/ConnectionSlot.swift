import Logging
import NIOCore
import Synchronization

/// One place in the pool: holds at most one connection and reconnects it
/// with exponential backoff and jitter after it drops or fails to open.
final class ConnectionSlot: Sendable {
    enum Poll {
        case connected(RedisConnection)
        case connecting
        case unavailable(RedisError)
        case closed
    }

    private enum State {
        case idle
        case connecting(generation: Int, waiters: [CheckedContinuation<RedisConnection, any Error>])
        case connected(generation: Int, RedisConnection)
        case backingOff(until: NIODeadline, lastError: RedisError)
        case closed
    }

    private struct Guarded {
        var state: State = .idle
        var generation = 0
        var failedAttempts = 0
    }

    private let guarded = Mutex(Guarded())
    private let configuration: RedisConfiguration
    private let eventLoop: any EventLoop
    private let logger: Logger
    private let roundTrips: RoundTripCounter

    init(configuration: RedisConfiguration, eventLoop: any EventLoop, roundTrips: RoundTripCounter, logger: Logger) {
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.roundTrips = roundTrips
        self.logger = logger
    }

    /// The live connection, or starts opening one when the slot is idle or
    /// its backoff has passed.
    func poll() -> Poll {
        let (poll, start) = guarded.withLock { guarded -> (Poll, Int?) in
            switch guarded.state {
            case .connected(_, let connection):
                return (.connected(connection), nil)
            case .connecting:
                return (.connecting, nil)
            case .closed:
                return (.closed, nil)
            case .backingOff(let until, let lastError) where until > .now():
                return (.unavailable(lastError), nil)
            case .idle, .backingOff:
                guarded.generation += 1
                guarded.state = .connecting(generation: guarded.generation, waiters: [])
                return (.connecting, guarded.generation)
            }
        }
        if let start { open(generation: start) }
        return poll
    }

    /// Waits for the connection being opened.
    func waitForConnection() async throws -> RedisConnection {
        try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<RedisConnection, RedisError>? = guarded.withLock { guarded in
                switch guarded.state {
                case .connecting(let generation, var waiters):
                    waiters.append(continuation)
                    guarded.state = .connecting(generation: generation, waiters: waiters)
                    return nil
                case .connected(_, let connection):
                    return .success(connection)
                case .backingOff(_, let lastError):
                    // The attempt this caller saw in progress has already
                    // failed: its own error is the answer.
                    return .failure(lastError)
                case .idle:
                    return .failure(RedisError(code: .connectionUnavailable, message: "no Redis connection is open"))
                case .closed:
                    return .failure(RedisClient.closedError)
                }
            }
            if let immediate { continuation.resume(with: immediate.mapError { $0 }) }
        }
    }

    /// Closes the connection for good.
    func close() async {
        let (connection, waiters) = guarded.withLock { guarded -> (RedisConnection?, [CheckedContinuation<RedisConnection, any Error>]) in
            defer { guarded.state = .closed }
            switch guarded.state {
            case .connected(_, let connection): return (connection, [])
            case .connecting(_, let waiters): return (nil, waiters)
            case .idle, .backingOff, .closed: return (nil, [])
            }
        }
        for waiter in waiters { waiter.resume(throwing: RedisClient.closedError) }
        await connection?.close()
    }

    static func unavailable(_ lastError: RedisError) -> RedisError {
        RedisError(code: .connectionUnavailable, message: "Redis is unreachable, reconnecting in the background (last error: \(lastError.message))")
    }

    private func open(generation: Int) {
        let connecting = RedisConnection.connect(configuration: configuration, eventLoop: eventLoop, roundTrips: roundTrips) { [weak self] in
            self?.connectionClosed(generation: generation)
        }
        connecting.whenComplete { result in
            switch result {
            case .success(let connection): self.opened(connection, generation: generation)
            case .failure(let error): self.failedToOpen(error, generation: generation)
            }
        }
    }

    private func opened(_ connection: RedisConnection, generation: Int) {
        let outcome = guarded.withLock { guarded -> [CheckedContinuation<RedisConnection, any Error>]? in
            guard case .connecting(generation, let waiters) = guarded.state else { return nil }
            guarded.state = .connected(generation: generation, connection)
            guarded.failedAttempts = 0
            return waiters
        }
        guard let waiters = outcome else {
            // The slot was closed while this connection was being opened.
            connection.startClosing()
            return
        }
        // The connection may have dropped between opening and being recorded.
        if connection.isClosed { connectionClosed(generation: generation) }
        logger.debug("redis connection open", metadata: ["redis.address": "\(configuration.host):\(configuration.port)"])
        for waiter in waiters { waiter.resume(returning: connection) }
    }

    private func failedToOpen(_ error: any Error, generation: Int) {
        let redisError = error as? RedisError ?? RedisError(code: .connectFailed, message: "\(error)")
        let outcome = guarded.withLock { guarded -> (TimeAmount, [CheckedContinuation<RedisConnection, any Error>])? in
            guard case .connecting(generation, let waiters) = guarded.state else { return nil }
            guarded.failedAttempts += 1
            let delay = backoff(afterFailures: guarded.failedAttempts)
            guarded.state = .backingOff(until: .now() + delay, lastError: redisError)
            return (delay, waiters)
        }
        guard let (delay, waiters) = outcome else { return }
        logger.warning("redis connect failed", metadata: ["error": "\(redisError.message)", "retry_in_ms": "\(delay.nanoseconds / 1_000_000)"])
        for waiter in waiters { waiter.resume(throwing: redisError) }
        eventLoop.scheduleTask(in: delay) { _ = self.poll() }
    }

    private func connectionClosed(generation: Int) {
        let reopen = guarded.withLock { guarded -> Bool in
            guard case .connected(generation, _) = guarded.state else { return false }
            guarded.state = .idle
            return true
        }
        guard reopen else { return }
        logger.warning("redis connection lost, reconnecting", metadata: ["redis.address": "\(configuration.host):\(configuration.port)"])
        _ = poll()
    }

    private func backoff(afterFailures failures: Int) -> TimeAmount {
        let base = TimeAmount(configuration.reconnectBackoff).nanoseconds
        let cap = TimeAmount(configuration.maxReconnectBackoff).nanoseconds
        let exponential = base << min(failures - 1, 20)
        let bounded = min(max(exponential, 1), cap)
        // Jitter keeps many instances from reconnecting in lockstep after a restart.
        return .nanoseconds(Int64.random(in: bounded / 2...bounded))
    }
}
