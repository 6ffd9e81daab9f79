import Gateway
import Metrics
public import Prometheus

/// The registry every test's metrics go to: swift-metrics is bootstrapped
/// once per process, and every test target runs in one process, so they
/// share it and look for their own bot's labels.
public let testMetricsRegistry: PrometheusCollectorRegistry = {
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(GatewayMetrics.makeFactory(registry: registry))
    return registry
}()
