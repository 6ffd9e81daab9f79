import NIOCore
import NIOPosix
import Synchronization

/// Plain `http://` exchanges on NIO event loops, over kept-alive HTTP/1.1 connections.
///
/// The request is written and the response read on the loop that owns the connection, the
/// same loops the rest of the process does its I/O on: no thread of its own to wake, no poll
/// per transfer, no formatting of the request line in a C `printf`.
final class EventLoopHTTPTransport: Sendable {
    private struct Origin: Hashable {
        var host: String
        var port: Int
    }

    private struct Pool {
        var idle: [Origin: [any Channel]] = [:]
        var open: [Origin: Int] = [:]
        var waiters: [Origin: [Waiter]] = [:]
        var all: [ObjectIdentifier: any Channel] = [:]
        var nextWaiterID: UInt64 = 0
        var isShutDown = false

        /// A kept-alive connection or the right to open one, if either is free.
        mutating func takeSlot(_ origin: Origin, limit: Int) -> Slot? {
            while let channel = idle[origin]?.popLast() {
                if channel.isActive {
                    return .reuse(channel)
                }
            }
            guard open[origin, default: 0] < limit else { return nil }
            open[origin, default: 0] += 1
            return .connect
        }

        /// The first caller waiting for the origin, taken out of line.
        mutating func nextWaiter(_ origin: Origin) -> Waiter? {
            waiters[origin]?.isEmpty == false ? waiters[origin]?.removeFirst() : nil
        }
    }

    /// A caller waiting for a connection to one origin, first come first served.
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Slot, any Error>
    }

    /// What `acquire` hands out: a kept-alive connection or the right to open one.
    private enum Slot {
        case reuse(any Channel)
        case connect
    }

    private let group: any EventLoopGroup
    private let configuration: HTTPClient.Configuration
    private let pool = Mutex(Pool())

    init(group: any EventLoopGroup, configuration: HTTPClient.Configuration) {
        self.group = group
        self.configuration = configuration
    }

    func execute(_ request: HTTPRequest, to target: PlainHTTPTarget) async throws -> HTTPResponse {
        let origin = Origin(host: target.host, port: target.port)
        let timeout = request.timeout ?? configuration.timeout
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let bytes = Self.encode(request, to: target, userAgent: configuration.userAgent)
        var fresh = false
        while true {
            if Task.isCancelled {
                throw HTTPClientError.cancelled
            }
            let slot: Slot
            if fresh {
                // The retry's connection may exceed the limit by one until the stale one's close
                // is counted, which is at most a loop turn away.
                slot = .connect
                pool.withLock { $0.open[origin, default: 0] += 1 }
            } else {
                slot = try await acquire(origin, deadline: deadline, timeout: timeout)
            }
            let channel: any Channel
            switch slot {
            case .reuse(let kept):
                channel = kept
            case .connect:
                channel = try await connect(origin, request: request)
                if Task.isCancelled {
                    release(channel, origin: origin, reusable: true)
                    throw HTTPClientError.cancelled
                }
            }
            let promise = channel.eventLoop.makePromise(of: HTTPExchange.Received.self)
            let exchange = HTTPExchange(
                request: bytes, isHead: request.method == .head, deadline: deadline,
                maxResponseBytes: configuration.maxResponseBytes, promise: promise)
            do {
                let received = try await withTaskCancellationHandler {
                    // A connection that closed after it was handed out never reaches the handler,
                    // so the failed write fails the exchange (a second failure is ignored).
                    channel.writeAndFlush(exchange).whenFailure { _ in
                        promise.fail(HTTPExchange.Failure.closed(beforeResponse: true))
                    }
                    return try await promise.futureResult.get()
                } onCancel: {
                    channel.close(promise: nil)
                }
                release(channel, origin: origin, reusable: received.keepAlive)
                return received.response
            } catch let failure as HTTPExchange.Failure {
                if Task.isCancelled {
                    throw HTTPClientError.cancelled
                }
                if pool.withLock({ $0.isShutDown }) {
                    throw HTTPClientError.shutdown
                }
                // A kept-alive connection closed without a byte of answer is almost always the
                // server's idle timeout crossing this request: sent once more on a new connection,
                // as libcurl does for HTTP/1.1. (A server that read it and closed without answering
                // would see it twice; a new connection's failure is never sent again.)
                if case .reuse = slot, case .closed(beforeResponse: true) = failure, !fresh {
                    fresh = true
                    continue
                }
                throw Self.error(for: failure, timeout: timeout, maxBytes: configuration.maxResponseBytes)
            }
        }
    }

    /// Closes every connection; requests in flight fail, later ones fail with code `shutdown`.
    func shutdown() async {
        for channel in requestShutdown() {
            try? await channel.close()
        }
    }

    /// Starts closing every connection without waiting, as the client's `deinit` must: a dropped
    /// client leaves no socket open. Returns the connections it is closing.
    @discardableResult
    func requestShutdown() -> [any Channel] {
        let (channels, waiters) = pool.withLock { pool in
            pool.isShutDown = true
            defer { pool.waiters = [:] }
            return (Array(pool.all.values), pool.waiters.values.flatMap { $0 })
        }
        for waiter in waiters {
            waiter.continuation.resume(throwing: HTTPClientError.shutdown)
        }
        for channel in channels {
            channel.close(promise: nil)
        }
        return channels
    }

    // MARK: Connections

    private func acquire(_ origin: Origin, deadline: NIODeadline, timeout: Duration) async throws -> Slot {
        let limit = configuration.maxConnectionsPerHost
        let taken: Result<Slot, HTTPClientError>? = pool.withLock { pool in
            pool.isShutDown ? .failure(.shutdown) : pool.takeSlot(origin, limit: limit).map { .success($0) }
        }
        if let taken {
            return try taken.get()
        }
        // Every connection to the origin is busy: wait in line, and leave it when cancelled or
        // when the exchange's deadline passes, as libcurl's queued transfers do.
        let id = pool.withLock { pool in
            pool.nextWaiterID += 1
            return pool.nextWaiterID
        }
        let expiry = group.any().scheduleTask(deadline: deadline) { [self] in
            removeWaiter(id, origin: origin)?.continuation.resume(throwing: Self.timedOut(timeout))
        }
        defer { expiry.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let slot: Result<Slot, HTTPClientError>? = pool.withLock { pool in
                    guard !pool.isShutDown else { return .failure(.shutdown) }
                    if let slot = pool.takeSlot(origin, limit: limit) {
                        return .success(slot)
                    }
                    // Both checked under the lock the cancellation handler and the expiry take, so
                    // one of each pair sees the other: no waiter is left behind.
                    guard !Task.isCancelled else { return .failure(.cancelled) }
                    guard NIODeadline.now() < deadline else { return .failure(Self.timedOut(timeout)) }
                    pool.waiters[origin, default: []].append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let slot {
                    continuation.resume(with: slot)
                }
            }
        } onCancel: {
            removeWaiter(id, origin: origin)?.continuation.resume(throwing: HTTPClientError.cancelled)
        }
    }

    private func removeWaiter(_ id: UInt64, origin: Origin) -> Waiter? {
        pool.withLock { pool in
            guard let index = pool.waiters[origin]?.firstIndex(where: { $0.id == id }) else { return nil }
            return pool.waiters[origin]?.remove(at: index)
        }
    }

    private func release(_ channel: any Channel, origin: Origin, reusable: Bool) {
        guard reusable, channel.isActive else {
            channel.close(promise: nil)
            return
        }
        let waiter: Waiter? = pool.withLock { pool in
            guard let waiter = pool.nextWaiter(origin) else {
                pool.idle[origin, default: []].append(channel)
                return nil
            }
            return waiter
        }
        waiter?.continuation.resume(returning: .reuse(channel))
    }

    /// Called once per connection when it closes: frees its slot for a waiter or a new one.
    /// Also called with nil when a connection could not be made, to free the slot it held.
    private func closed(_ channel: (any Channel)?, origin: Origin) {
        let waiter: Waiter? = pool.withLock { pool in
            if let channel {
                pool.all[ObjectIdentifier(channel)] = nil
                pool.idle[origin]?.removeAll { $0 === channel }
            }
            guard let waiter = pool.nextWaiter(origin) else {
                pool.open[origin, default: 1] -= 1
                return nil
            }
            return waiter
        }
        waiter?.continuation.resume(returning: .connect)
    }

    private func connect(_ origin: Origin, request: HTTPRequest) async throws -> any Channel {
        let connectTimeout = request.connectTimeout ?? configuration.connectTimeout
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(TimeAmount(connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelOption(.socketOption(.so_keepalive), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler())
                    }
                }
                .connect(host: origin.host, port: origin.port)
                .get()
        } catch {
            closed(nil, origin: origin)
            if case .connectTimeout = error as? ChannelError {
                throw HTTPClientError(
                    .connectTimedOut,
                    message: "No connection within the connect timeout of \(connectTimeout.curlMilliseconds) ms; check that the host is reachable.")
            }
            throw HTTPClientError(
                .connectFailed,
                message: "Could not connect: \(error); check the host name, the port and that the server runs.")
        }
        let registered = pool.withLock { pool in
            guard !pool.isShutDown else { return false }
            pool.all[ObjectIdentifier(channel)] = channel
            return true
        }
        // Hooked after registering: on a connection already closed it runs at once and unregisters.
        channel.closeFuture.whenComplete { [self] _ in closed(channel, origin: origin) }
        guard registered else {
            channel.close(promise: nil)
            throw HTTPClientError.shutdown
        }
        return channel
    }
}
