import Synchronization

/// Dead letters in memory, the newest `capacity` of all bots together: for
/// the in-process pipeline, the sandbox and tests.
///
/// `Sendable` because its letters sit behind a `Mutex`.
public final class InMemoryDeadLetterStore: DeadLetterStore {
    private let capacity: Int
    private let storage: Mutex<[DeadLetter]>

    /// Creates an empty store that keeps the newest `capacity` letters.
    public init(capacity: Int = 1000) {
        self.capacity = max(1, capacity)
        self.storage = Mutex([])
    }

    /// The letters kept, oldest first.
    public var letters: [DeadLetter] {
        self.storage.withLock { $0 }
    }

    public func add(_ letter: DeadLetter) async throws {
        self.storage.withLock { letters in
            letters.append(letter)
            if letters.count > self.capacity {
                letters.removeFirst(letters.count - self.capacity)
            }
        }
        DeadLetterMetrics.record(letter)
    }
}
