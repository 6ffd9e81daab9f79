import Foundation
import Gateway
public import RedisClient

/// Logins shared through Redis: one key per Telegram user,
/// `{prefix:auth:<telegram id>}`, under the user's own hash tag so a Redis
/// Cluster spreads them over its nodes, holding the auth service's answer as JSON
/// and expiring when the token should no longer be handed out.
///
/// The key holds a bearer token: Redis must be private to the gateway, as it
/// is for conversation state.
public struct RedisAuthSessionCache: AuthSessionCache {
    private let client: RedisClient
    private let prefix: String

    /// Creates a cache on `client` under `keyPrefix` (`REDIS_KEY_PREFIX`).
    public init(client: RedisClient, keyPrefix: String) {
        self.client = client
        self.prefix = keyPrefix
    }

    private func key(_ telegramID: Int64) -> String {
        "{\(self.prefix):auth:\(telegramID)}"
    }

    public func session(for telegramID: Int64) async throws -> (entry: CachedAuthSession, freshFor: Duration)? {
        let replies = try await self.client.pipeline([["GET", .string(self.key(telegramID))], ["PTTL", .string(self.key(telegramID))]])
        guard replies.count == 2, let bytes = try replies[0].get().bytes, let milliseconds = try replies[1].get().int, milliseconds > 0 else {
            return nil
        }
        let entry = try JSONDecoder().decode(CachedAuthSession.self, from: Data(bytes))
        return (entry, .milliseconds(milliseconds))
    }

    public func store(_ entry: CachedAuthSession, for telegramID: Int64, freshFor: Duration) async throws {
        guard freshFor > .milliseconds(1) else { return }
        let bytes = Array(try JSONEncoder().encode(entry))
        try await self.client.send(["SET", .string(self.key(telegramID)), .bytes(bytes), "PX", .integer(freshFor.redisMilliseconds)])
    }
}
