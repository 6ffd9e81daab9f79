import NIOCore
import NIOPosix
import Synchronization

/// One TCP connection to Redis. Any number of tasks may send on it at once:
/// their commands are pipelined, written in batches (one event-loop hop and
/// one flush per batch, not per command) and matched to replies in order.
///
/// A command that gets no reply within its timeout closes the connection,
/// failing everything in flight on it: replies after a lost one cannot be
/// trusted to line up, and callers learn at once instead of hanging.
public final class RedisConnection: RedisCommandRunner, Sendable {
    private let channel: any Channel
    private let pending: PendingReplies
    private let commandTimeout: TimeAmount
    private let roundTrips: RoundTripCounter?

    private init(channel: any Channel, pending: PendingReplies, commandTimeout: TimeAmount, roundTrips: RoundTripCounter?) {
        self.channel = channel
        self.pending = pending
        self.commandTimeout = commandTimeout
        self.roundTrips = roundTrips
    }

    /// Opens a connection and runs `AUTH` and `SELECT` as configured.
    /// `onClose` runs once when the connection closes for any reason; each
    /// ``send(_:timeout:)`` and ``pipeline(_:timeout:)`` counts in `roundTrips`.
    static func connect(
        configuration: RedisConfiguration,
        eventLoop: any EventLoop,
        roundTrips: RoundTripCounter? = nil,
        onClose: @escaping @Sendable () -> Void = {}
    ) -> EventLoopFuture<RedisConnection> {
        let pending = PendingReplies(allocator: ByteBufferAllocator(), onClose: onClose)
        let address = "\(configuration.host):\(configuration.port)"
        let connected = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.connectTimeout))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        RedisReplyHandler(pending: pending, reader: try RESPReader())
                    )
                }
            }
            .connect(host: configuration.host, port: configuration.port)
            .flatMapErrorThrowing { error -> any Channel in
                pending.close(with: RedisError(code: .connectFailed, message: "could not connect to Redis at \(address)"))
                throw RedisError(code: .connectFailed, message: "could not connect to Redis at \(address): \(error)")
            }
            .map { channel in
                RedisConnection(
                    channel: channel,
                    pending: pending,
                    commandTimeout: TimeAmount(configuration.commandTimeout),
                    roundTrips: roundTrips
                )
            }
        return connected.flatMap { connection in
            connection.handshake(configuration)
                .map { connection }
                .flatMapError { error in
                    connection.channel.close(promise: nil)
                    let reason = (error as? RedisError)?.message ?? "\(error)"
                    return eventLoop.makeFailedFuture(
                        RedisError(code: .connectFailed, message: "Redis at \(address) refused the connection setup: \(reason)")
                    )
                }
        }
    }

    /// Opens a connection, runs `body` with it and closes it, also when
    /// `body` throws.
    static func using<Result: Sendable>(
        configuration: RedisConfiguration,
        eventLoop: any EventLoop,
        roundTrips: RoundTripCounter?,
        _ body: (RedisConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await connect(configuration: configuration, eventLoop: eventLoop, roundTrips: roundTrips).get()
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Opens a connection outside any pool, for callers that need one of their own.
    public static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> RedisConnection {
        try await connect(configuration: configuration, eventLoop: eventLoopGroup.next()).get()
    }

    private func handshake(_ configuration: RedisConfiguration) -> EventLoopFuture<Void> {
        var commands: [[RedisArgument]] = []
        if let password = configuration.password {
            if let username = configuration.username {
                commands.append(["AUTH", .string(username), .string(password)])
            } else {
                commands.append(["AUTH", .string(password)])
            }
        }
        if configuration.database != 0 {
            commands.append(["SELECT", .integer(configuration.database)])
        }
        let replies = commands.map { sendFuture($0) }
        return EventLoopFuture.andAllSucceed(replies, on: channel.eventLoop)
    }

    /// `true` once the connection has closed; it never reopens.
    public var isClosed: Bool {
        pending.isClosed
    }

    @discardableResult
    public func send(_ arguments: [RedisArgument], timeout: Duration? = nil) async throws -> RedisValue {
        self.roundTrips?.add()
        let deadline = self.deadline(timeout)
        return try await withCheckedThrowingContinuation { continuation in
            let outcome = pending.enqueue(CollectionOfOne(arguments), entry: .init(waiter: .single(continuation), deadline: deadline))
            handle(outcome) { continuation.resume(throwing: $0) }
        }
    }

    public func pipeline(_ commands: [[RedisArgument]], timeout: Duration? = nil) async throws -> [Result<RedisValue, RedisError>] {
        guard !commands.isEmpty else { return [] }
        self.roundTrips?.add()
        let deadline = self.deadline(timeout)
        return try await withCheckedThrowingContinuation { continuation in
            let collector = BatchCollector(expected: commands.count, continuation: continuation)
            let outcome = pending.enqueue(commands, entry: .init(waiter: .batch(collector), deadline: deadline))
            handle(outcome) { continuation.resume(throwing: $0) }
        }
    }

    /// Closes the connection; commands in flight fail with ``RedisError/Code/clientClosed``.
    public func close() async {
        pending.close(with: Self.closedByOwner)
        try? await channel.close()
    }

    /// Starts closing without waiting, for callers that cannot await.
    func startClosing() {
        pending.close(with: Self.closedByOwner)
        channel.close(promise: nil)
    }

    private static let closedByOwner = RedisError(code: .clientClosed, message: "the Redis connection was closed by its owner")

    private func sendFuture(_ arguments: [RedisArgument]) -> EventLoopFuture<RedisValue> {
        let promise = channel.eventLoop.makePromise(of: RedisValue.self)
        let outcome = pending.enqueue(CollectionOfOne(arguments), entry: .init(waiter: .promise(promise), deadline: deadline(nil)))
        handle(outcome) { promise.fail($0) }
        return promise.futureResult
    }

    private func deadline(_ timeout: Duration?) -> NIODeadline {
        .now() + (timeout.map(TimeAmount.init) ?? commandTimeout)
    }

    private func handle(_ outcome: PendingReplies.EnqueueOutcome, failed: (RedisError) -> Void) {
        switch outcome {
        case .queued:
            break
        case .queuedNeedsDrain:
            channel.eventLoop.execute { self.drain() }
        case .failed(let error):
            failed(error)
        }
    }

    /// Writes everything queued since the last drain in one flush; on the event loop.
    private func drain() {
        guard let (bytes, armTimer) = pending.takeOutbound() else { return }
        channel.writeAndFlush(bytes, promise: nil)
        if let armTimer {
            scheduleTimeoutCheck(at: armTimer)
        }
    }

    private func scheduleTimeoutCheck(at deadline: NIODeadline) {
        channel.eventLoop.scheduleTask(deadline: deadline) {
            switch self.pending.checkTimeout(now: .now()) {
            case .idle:
                break
            case .rearm(let next):
                self.scheduleTimeoutCheck(at: next)
            case .timedOut:
                self.pending.close(with: RedisError(
                    code: .commandTimedOut,
                    message: "Redis did not answer within the command timeout; the connection was closed and will be reopened"
                ))
                self.channel.close(promise: nil)
            }
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Counts the requests callers sent and awaited (a command, or a pipeline
/// of them): the round trips a client's users paid for.
final class RoundTripCounter: Sendable {
    private let count = Atomic<Int>(0)

    func add() {
        self.count.add(1, ordering: .relaxed)
    }

    var value: Int {
        self.count.load(ordering: .relaxed)
    }
}
