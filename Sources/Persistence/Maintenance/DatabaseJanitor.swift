import Foundation
public import Logging
public import ServiceLifecycle

/// Keeps the durable tables from growing without bound: on a schedule it
/// deletes expired callback payloads and raw metric events older than the
/// retention (their hourly and daily rollups stay). Every instance may run
/// one; the deletes are idempotent.
public final class DatabaseJanitor: Service, Sendable {
    /// When and what to purge.
    public struct Configuration: Sendable {
        /// Time between purges; the first runs one interval after start.
        public var interval: Duration
        /// How long raw metric events are kept.
        public var metricsRetention: Duration

        /// Creates a configuration.
        public init(interval: Duration = .seconds(3600), metricsRetention: Duration = .seconds(30 * 86400)) {
            self.interval = interval
            self.metricsRetention = metricsRetention
        }
    }

    private let callbacks: CallbackPayloadStore
    private let metrics: MetricsRepository
    private let configuration: Configuration
    private let logger: Logger

    /// Creates a janitor over the two stores.
    public init(callbacks: CallbackPayloadStore, metrics: MetricsRepository, configuration: Configuration = .init(), logger: Logger) {
        self.callbacks = callbacks
        self.metrics = metrics
        self.configuration = configuration
        self.logger = logger
    }

    /// Purges once now.
    /// - Returns: The expired payloads and old events deleted.
    @discardableResult
    public func purge(now: Date = Date()) async throws -> (payloads: Int, events: Int) {
        let payloads = try await self.callbacks.purgeExpired()
        let cutoff = now.addingTimeInterval(-Double(self.configuration.metricsRetention.components.seconds))
        let events = try await self.metrics.deleteEvents(before: cutoff)
        return (payloads, events)
    }

    /// Purges every interval until graceful shutdown; a failed purge is logged and tried next time.
    public func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                try await gracefulShutdownAwareSleep(self.configuration.interval)
            } catch {
                return
            }
            do {
                let (payloads, events) = try await self.purge()
                self.logger.debug("database purge", metadata: ["callback_payloads": "\(payloads)", "metric_events": "\(events)"])
            } catch {
                self.logger.warning("database purge failed; trying again next interval", metadata: ["error": "\(PostgresErrorMessage.text(for: error))"])
            }
        }
    }

    private func gracefulShutdownAwareSleep(_ duration: Duration) async throws {
        try await cancelWhenGracefulShutdown {
            try await Task.sleep(for: duration)
        }
    }
}
