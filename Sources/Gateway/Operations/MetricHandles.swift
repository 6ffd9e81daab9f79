import Synchronization

/// Metric handles made once per label set and kept: making one through
/// swift-prometheus checks its name and labels and takes the registry's
/// lock, several thousand instructions, where a lookup here costs a hash.
/// Label sets are a small closed set (``GatewayMetrics``), so this stays small.
final class MetricHandles<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])

    /// The handle of `key`, made by `make` the first time.
    func handle(_ key: Key, make: () -> Handle) -> Handle {
        if let handle = self.handles.withLock({ $0[key] }) {
            return handle
        }
        let made = make()
        return self.handles.withLock { handles in
            if let handle = handles[key] { return handle }
            handles[key] = made
            return made
        }
    }
}
