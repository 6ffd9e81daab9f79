import CoreMetrics
import Synchronization

/// What the clients of each named service saw, for `/status`: attempts and
/// failed attempts since start, and the breaker's state after the latest,
/// also recorded as the gauge `gateway_service_circuit_state{service}` (0
/// closed, 1 half-open, 2 open) through swift-metrics. One board per gateway,
/// shared by every client of every service, as ``ServiceBulkheads`` is.
public final class ServiceHealthBoard: Sendable {
    /// One service's tally.
    public struct Entry: Sendable, Hashable {
        /// Attempts sent (each retry counts).
        public var attempts = 0
        /// Attempts that failed: no answer, 5xx, too slow.
        public var failures = 0
        /// The breaker after the latest attempt: `closed`, `open` or `half-open`.
        public var circuit = "closed"

        /// A service not called yet.
        public init() {}
    }

    private let entries = Mutex<[String: Entry]>([:])

    /// Creates an empty board.
    public init() {}

    /// The gauge's name.
    public static let circuitStateMetric = "gateway_service_circuit_state"

    /// Records one attempt to `service` and the breaker's state after it.
    public func record(service: String, failed: Bool, circuit: CircuitBreaker.State) {
        Gauge(label: Self.circuitStateMetric, dimensions: [("service", service)]).record(circuit.level)
        self.entries.withLock { entries in
            var entry = entries[service] ?? Entry()
            entry.attempts &+= 1
            if failed { entry.failures &+= 1 }
            entry.circuit = circuit.name
            entries[service] = entry
        }
    }

    /// Every service's tally.
    public var snapshot: [String: Entry] {
        self.entries.withLock { $0 }
    }
}

extension CircuitBreaker.State {
    /// The gauge's value: 0 closed, 1 half-open, 2 open.
    var level: Int {
        switch self {
        case .closed: 0
        case .halfOpen: 1
        case .open: 2
        }
    }

    /// `closed`, `open` or `half-open`.
    public var name: String {
        switch self {
        case .closed: "closed"
        case .open: "open"
        case .halfOpen: "half-open"
        }
    }
}
