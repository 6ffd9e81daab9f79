import CoreMetrics
import Logging
import ServiceLifecycle
import Synchronization

/// Writes users' last activity (and a newly chosen language) behind, in
/// batches: ``touch(_:)`` only records in memory, and one multi-row upsert
/// per flush writes everything collected — every ``Configuration/flushInterval``,
/// at once when ``Configuration/maxBatch`` users are waiting, and on graceful
/// shutdown. A `Service`; run it after (listed after) its ``Database``.
///
/// Touches of one user between flushes fold into one row. A failed flush
/// keeps its touches for the next one, so activity waits out a database
/// outage; at ``Configuration/maxPending`` users a touch of a new user is
/// dropped and counted (`gateway_database_dropped_total{buffer="activity"}`).
public final class SessionActivityWriter: Service, Sendable {
    /// When to flush.
    public struct Configuration: Sendable {
        /// The longest a touch waits in memory.
        public var flushInterval: Duration
        /// Users waiting that trigger a flush before the interval is up.
        public var maxBatch: Int
        /// Users kept while the database is away; touches of further users are dropped.
        public var maxPending: Int

        public init(flushInterval: Duration = .seconds(5), maxBatch: Int = 500, maxPending: Int = 100_000) {
            self.flushInterval = flushInterval
            self.maxBatch = maxBatch
            self.maxPending = maxPending
        }
    }

    private let store: any SessionActivityStore
    private let configuration: Configuration
    private let logger: Logger
    private let pending = Mutex<[SessionTouch.Key: SessionTouch]>([:])
    private let signal = FlushSignal()
    private let dropped = Counter(label: DroppedWrites.metric, dimensions: [("buffer", "activity")])

    /// Creates a writer over `store` (a ``SessionRepository``).
    public init(store: any SessionActivityStore, configuration: Configuration = .init(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Records that a user was active; returns at once, without I/O.
    public func touch(_ touch: SessionTouch) {
        let waiting = self.pending.withLock { pending -> Int? in
            if let known = pending[touch.key] {
                pending[touch.key] = known.merged(with: touch)
            } else if pending.count < self.configuration.maxPending {
                pending[touch.key] = touch
            } else {
                return nil
            }
            return pending.count
        }
        guard let waiting else {
            self.dropped.increment()
            return
        }
        if waiting >= self.configuration.maxBatch {
            self.signal.wake()
        }
    }

    /// Users whose touches wait for the next flush.
    public var pendingCount: Int {
        self.pending.withLock { $0.count }
    }

    /// Writes everything collected so far in one statement. On failure the
    /// touches stay queued (merged with newer ones) and the error is thrown.
    public func flush() async throws {
        let batch = self.pending.withLock { pending in
            let batch = Array(pending.values)
            pending.removeAll(keepingCapacity: true)
            return batch
        }
        guard !batch.isEmpty else { return }
        do {
            try await self.store.recordActivity(batch)
        } catch {
            // Put back ahead of newer touches; past the cap the rest are dropped.
            let lost = self.pending.withLock { pending -> Int in
                var lost = 0
                for touch in batch {
                    if let newer = pending[touch.key] {
                        pending[touch.key] = touch.merged(with: newer)
                    } else if pending.count < self.configuration.maxPending {
                        pending[touch.key] = touch
                    } else {
                        lost += 1
                    }
                }
                return lost
            }
            if lost > 0 {
                self.dropped.increment(by: lost)
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
                    "session activity flush failed; touches kept for the next one",
                    metadata: ["error": "\(PostgresErrorMessage.text(for: error))", "pending": "\(self.pendingCount)"]
                )
            }
        }
    }
}
