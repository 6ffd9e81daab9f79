public import Prometheus
public import RedisClient
import Synchronization

/// Exports ``RedisClient/roundTrips`` as `gateway_redis_round_trips_total`:
/// requests the gateway sent to Redis and waited for (a command, a pipeline
/// or a script each count one). Read at each scrape rather than counted per
/// command, so the hot path pays one relaxed atomic add and no lock.
public final class RedisRoundTripMetric: Sendable {
    /// The metric's name.
    public static let name = "gateway_redis_round_trips_total"

    private let client: RedisClient
    private let counter: Counter
    private let exported = Mutex(0)

    /// Registers the counter in `registry` for `client`.
    public init(client: RedisClient, registry: PrometheusCollectorRegistry) {
        self.client = client
        self.counter = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: "gateway",
                subsystem: "redis",
                metricName: "round_trips",
                unitName: "total",
                helpText: "Requests sent to Redis and awaited: commands, pipelines and scripts"
            )
        )
    }

    /// Brings the counter up to the client's count; pass it to ``MetricsEndpoint``.
    public func update() {
        let current = self.client.roundTrips
        let delta = self.exported.withLock { exported in
            defer { exported = max(exported, current) }
            return current - exported
        }
        if delta > 0 {
            self.counter.increment(by: Int64(delta))
        }
    }
}
