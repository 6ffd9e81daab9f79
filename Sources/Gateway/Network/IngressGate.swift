import CoreMetrics
public import HummingbirdCore
public import Logging
public import NIOCore
import Synchronization

/// A listener's first word on a new connection, before TLS or HTTP read a
/// byte: a peer outside the allowlist, or one more connection than the
/// listener keeps, is closed at once instead of holding a descriptor through
/// a handshake and a request head.
///
/// Closing happens after the wrapped channel is set up, never by failing the
/// setup: a failed child setup is reported on the server channel, which ends
/// Hummingbird's accept loop.
public struct IngressGate<Base: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Base.Value

    private let base: Base
    private let policy: ClientAddressPolicy
    private let connections: OpenConnections
    private let metrics: IngressMetrics

    /// Wraps `base`.
    /// - Parameters:
    ///   - base: The channel that serves admitted connections (TLS, HTTP).
    ///   - policy: Who may connect; peers it refuses at accept are closed.
    ///   - connections: The listener's connection count and cap.
    ///   - metrics: Where refusals are counted.
    init(_ base: Base, policy: ClientAddressPolicy, connections: OpenConnections, metrics: IngressMetrics) {
        self.base = base
        self.policy = policy
        self.connections = connections
        self.metrics = metrics
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let peer = channel.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        let refusal: IngressMetrics.Refusal?
        if !self.policy.admitsConnection(from: peer) {
            refusal = .allowlist
        } else if !self.connections.open() {
            refusal = .capacity
        } else {
            refusal = nil
            let connections = self.connections
            let metrics = self.metrics
            metrics.recordOpen(connections.count)
            channel.closeFuture.whenComplete { _ in
                connections.close()
                metrics.recordOpen(connections.count)
            }
        }
        let ready = self.base.setup(channel: channel, logger: logger)
        guard let refusal else { return ready }
        self.metrics.recordRefused(refusal)
        logger.debug("connection refused", metadata: ["peer": "\(peer?.description ?? "unknown")", "reason": "\(refusal.rawValue)"])
        return ready.always { _ in channel.close(promise: nil) }
    }

    public func handle(value: Value, logger: Logger) async {
        await self.base.handle(value: value, logger: logger)
    }
}

extension IngressGate: HTTPChannelHandler where Base: HTTPChannelHandler {
    /// The wrapped channel's HTTP responder.
    public var responder: HTTPChannelHandler.Responder {
        self.base.responder
    }
}

/// A listener's open connections, counted against its cap.
final class OpenConnections: Sendable {
    let limit: Int
    private let current = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    /// The connections open now.
    var count: Int { self.current.load(ordering: .relaxed) }

    /// Takes a place for a new connection; false when the listener is full.
    func open() -> Bool {
        var seen = self.current.load(ordering: .relaxed)
        while seen < self.limit {
            let (exchanged, original) = self.current.compareExchange(expected: seen, desired: seen + 1, ordering: .relaxed)
            if exchanged { return true }
            seen = original
        }
        return false
    }

    /// Gives a place back when its connection closes.
    func close() {
        self.current.subtract(1, ordering: .relaxed)
    }
}

/// `gateway_connections_open{listener}` and
/// `gateway_connections_refused_total{listener, reason}`.
struct IngressMetrics: Sendable {
    /// Why a connection was closed by the gateway before it was served.
    enum Refusal: String, CaseIterable, Sendable {
        /// The peer is outside `TELEGRAM_IP_ALLOWLIST` (checked at accept).
        case allowlist
        /// The listener already had `GATEWAY_MAX_CONNECTIONS` open.
        case capacity
        /// The request head did not arrive within `GATEWAY_HEADER_TIMEOUT`.
        case headerTimeout = "header_timeout"
        /// The body did not arrive within `GATEWAY_BODY_TIMEOUT`.
        case bodyTimeout = "body_timeout"
    }

    static let open = "gateway_connections_open"
    static let refused = "gateway_connections_refused_total"

    private let gauge: Gauge
    private let refusals: [Refusal: Counter]

    /// The series of the listener named `listener` (`webhook` or `admin`).
    init(listener: String) {
        self.gauge = Gauge(label: Self.open, dimensions: [("listener", listener)])
        self.refusals = Dictionary(uniqueKeysWithValues: Refusal.allCases.map {
            ($0, Counter(label: Self.refused, dimensions: [("listener", listener), ("reason", $0.rawValue)]))
        })
    }

    func recordOpen(_ count: Int) {
        self.gauge.record(count)
    }

    func recordRefused(_ refusal: Refusal) {
        self.refusals[refusal]?.increment()
    }
}
