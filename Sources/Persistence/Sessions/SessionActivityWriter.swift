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
/// keeps its touches for the next one.
public final class SessionActivityWriter: Service, Sendable {
    /// When to flush.
    public struct Configuration: Sendable {
        /// The longest a touch waits in memory.
        public var flushInterval: Duration
        /// Users waiting that trigger a flush before the interval is up.
        public var maxBatch: Int

        public init(flushInterval: Duration = .seconds(5), maxBatch: Int = 500) {
            self.flushInterval = flushInterval
            self.maxBatch = maxBatch
        }
    }

    private let store: any SessionActivityStore
    private let configuration: Configuration
    private let logger: Logger
    private let pending = Mutex<[SessionTouch.Key: SessionTouch]>([:])
    private let signal = FlushSignal()

    /// Creates a writer over `store` (a ``SessionRepository``).
    public init(store: any SessionActivityStore, configuration: Configuration = .init(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// Records that a user was active; returns at once, without I/O.
    public func touch(_ touch: SessionTouch) {
        let waiting = self.pending.withLock { pending in
            pending[touch.key] = pending[touch.key].map { $0.merged(with: touch) } ?? touch
            return pending.count
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
            self.pending.withLock { pending in
                for touch in batch {
                    pending[touch.key] = pending[touch.key].map { touch.merged(with: $0) } ?? touch
                }
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
