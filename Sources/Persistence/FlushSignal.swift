import ServiceLifecycle

/// The schedule of the write-behind services (``SessionActivityWriter``,
/// ``MetricsRecorder``): flush every `interval`, early when ``wake()`` says a
/// batch is full, and once more on graceful shutdown so nothing buffered is
/// lost when the gateway stops.
final class FlushSignal: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() {
        // Newest-one buffering: wake-ups that arrive during a flush fold into one.
        (self.stream, self.continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for a flush now (a batch is full).
    func wake() {
        self.continuation.yield()
    }

    /// Calls `flush` on schedule until graceful shutdown or cancellation,
    /// then a last time. Call once: the wake-ups have one reader.
    func run(every interval: Duration, flush: @Sendable () async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while (try? await Task.sleep(for: interval)) != nil {
                    self.wake()
                }
            }
            for await _ in self.stream.cancelOnGracefulShutdown() {
                await flush()
            }
            group.cancelAll()
        }
        await flush()
    }
}
