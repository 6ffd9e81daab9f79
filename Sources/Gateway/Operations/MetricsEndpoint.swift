import Hummingbird
public import Prometheus

/// Serves `GET /metrics` in the Prometheus text format.
public struct MetricsEndpoint: Sendable {
    private let registry: PrometheusCollectorRegistry

    /// Creates the endpoint for `registry`, the one the metrics factory writes to.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func respond() -> Response {
        var buffer: [UInt8] = []
        self.registry.emit(into: &buffer)
        return Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: buffer))
        )
    }
}
