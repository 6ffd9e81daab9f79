import Hummingbird
public import Prometheus

/// Serves `GET /metrics` in the Prometheus text format.
public struct MetricsEndpoint: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let beforeEmitting: @Sendable () -> Void

    /// Creates the endpoint for `registry`, the one the metrics factory
    /// writes to; `beforeEmitting` brings values kept elsewhere up to date
    /// at each scrape.
    public init(registry: PrometheusCollectorRegistry, beforeEmitting: @escaping @Sendable () -> Void = {}) {
        self.registry = registry
        self.beforeEmitting = beforeEmitting
    }

    func respond() -> Response {
        self.beforeEmitting()
        var buffer: [UInt8] = []
        self.registry.emit(into: &buffer)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer))
        )
    }
}
