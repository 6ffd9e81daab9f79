/// A failure of the harness itself (setup, a wait that ran out), with what it was waiting for.
public struct HarnessError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Polls `probe` every 25 ms until it returns a value, for at most `timeout`.
///
/// The timeouts are generous ceilings for a loaded 2-core machine, never the
/// thing a test asserts: a passing run returns as soon as the condition holds.
/// - Throws: ``HarnessError`` naming `what` when the time runs out, or what `probe` throws.
public func eventually<Value>(
    _ what: String,
    timeout: Duration = .seconds(20),
    _ probe: () async throws -> Value?
) async throws -> Value {
    let deadline = ContinuousClock.now + timeout
    while true {
        if let value = try await probe() { return value }
        guard ContinuousClock.now < deadline else {
            throw HarnessError("timed out after \(timeout) waiting for \(what)")
        }
        try await Task.sleep(for: .milliseconds(25))
    }
}

/// Waits until `condition` holds, polling as ``eventually(_:timeout:_:)`` does.
public func waitUntil(_ what: String, timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    _ = try await eventually(what, timeout: timeout) { try await condition() ? true : nil }
}
