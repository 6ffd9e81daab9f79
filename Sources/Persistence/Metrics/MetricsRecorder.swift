import CoreMetrics
import Logging
import ServiceLifecycle
import Synchronization

/// Buffers ``MetricEvent``s in memory and inserts them in batches through
/// ``MetricsRepository``: every ``Configuration/flushInterval``, at once
/// when ``Configuration/maxBatch`` events wait, and on graceful shutdown.
/// A `Service`; run it after (listed after) its ``Database``.
///
/// A failed flush keeps its events for the next one, up to
/// ``Configuration/maxPending``; past that the oldest are dropped (and
/// counted in the log) so a long database outage cannot exhaust memory.
public final class MetricsRecorder: Service, Sendable {
    /// When to flush and how much to hold.
    public struct Configuration: Sendable {
        public var flushInterval: Duration
        public var maxBatch: Int
        public var maxPending: Int

        public init(flushInterval: Duration = .seconds(10), maxBatch: Int = 1000, maxPending: Int = 100_000) {
            self.flushInterval = flushInterval
            self.maxBatch = maxBatch
            self.maxPending = maxPending
        }
    }

    private let repository: MetricsRepository
    private let configuration: Configuration
    private let logger: Logger
    private let pending = Mutex<[MetricEvent]>([])
    private let signal = FlushSignal()
    private let droppedCounter = Counter(label: DroppedWrites.metric, dimensions: [("buffer", "metrics")])

    public init(repository: MetricsRepository, configuration: Configuration = .init(), logger: Logger) {
        self.repository = repository
        self.configuration = configuration
        self.logger = logger
    }

    /// Records an event; returns at once, without I/O.
    public func record(_ event: MetricEvent) {
        let waiting = self.pending.withLock { pending in
            pending.append(event)
            return pending.count
        }
        if waiting >= self.configuration.maxBatch {
            self.signal.wake()
        }
    }

    /// Events waiting for the next flush.
    public var pendingCount: Int {
        self.pending.withLock { $0.count }
    }

    /// Inserts everything recorded so far in one statement. On failure the
    /// events stay queued (within ``Configuration/maxPending``) and the error is thrown.
    public func flush() async throws {
        let batch = self.pending.withLock { pending in
            let batch = pending
            pending.removeAll(keepingCapacity: true)
            return batch
        }
        guard !batch.isEmpty else { return }
        do {
            try await self.repository.insert(batch)
        } catch {
            let dropped = self.pending.withLock { pending in
                pending.insert(contentsOf: batch, at: 0)
                let excess = max(0, pending.count - self.configuration.maxPending)
                pending.removeFirst(excess)
                return excess
            }
            if dropped > 0 {
                self.droppedCounter.increment(by: dropped)
                self.logger.warning("metrics buffer full; oldest events dropped", metadata: ["dropped": "\(dropped)"])
            }
            throw error
        }
    }

    /// Flushes on schedule until graceful shutdown, then once more.
    public func run() async throws {
        await self.signal.run(every: self.configuration.flushInterval) {
            do {
                try await self.flush()
            } catch {
                self.logger.error(
                    "metrics flush failed; events kept for the next one",
                    metadata: ["error": "\(PostgresErrorMessage.text(for: error))", "pending": "\(self.pendingCount)"]
                )
            }
        }
    }
}
