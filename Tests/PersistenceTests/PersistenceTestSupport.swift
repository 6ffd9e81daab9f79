import GatewayTestSupport
import Persistence
import PostgresNIO

/// Waits until `condition` holds, checking every 20 ms, for at most `timeout`.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

extension Database {
    /// The single value of a one-row, one-column query.
    func scalar<Value: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: Value.Type = Value.self) async throws -> Value? {
        let rows = try await self.client.query(query, logger: TestDatabase.logger)
        for try await value in rows.decode(Value.self) {
            return value
        }
        return nil
    }
}
