import Foundation
import Logging
import PostgresNIO

/// Keeps callback payloads that do not fit Telegram's 64-byte
/// `callback_data` (`inline_keyboard_cache`): the button carries a short
/// token instead, and the handler fetches the payload by it.
public struct CallbackPayloadStore: Sendable {
    /// Characters in a token: 16 URL-safe base64 characters carry 96 random
    /// bits, so guessing or colliding is hopeless, and a prefix such as
    /// `cb:` still leaves most of the 64 bytes free.
    public static let tokenLength = 16

    private let client: PostgresClient
    private let logger: Logger

    public init(database: Database, logger: Logger) {
        self.client = database.client
        self.logger = logger
    }

    /// Stores `payload` for `ttl` and returns its token.
    public func store(
        _ payload: String,
        bot: String,
        entityType: String? = nil,
        entityID: String? = nil,
        ttl: Duration = .seconds(86_400)
    ) async throws -> String {
        let expiresAt = Date().addingTimeInterval(Double(ttl.components.seconds) + Double(ttl.components.attoseconds) / 1e18)
        while true {
            let token = Self.makeToken()
            let rows = try await self.client.query(
                """
                INSERT INTO inline_keyboard_cache (token, bot, payload, entity_type, entity_id, expires_at)
                VALUES (\(token), \(bot), \(payload), \(entityType), \(entityID), \(expiresAt))
                ON CONFLICT (token) DO NOTHING
                RETURNING token
                """,
                logger: self.logger
            )
            // No row back means the token was taken: astronomically rare, but draw again rather than overwrite.
            for try await stored in rows.decode(String.self) {
                return stored
            }
        }
    }

    /// The payload stored under `token` for `bot`, or nil when there is
    /// none or it has expired.
    public func payload(token: String, bot: String) async throws -> CallbackPayload? {
        let rows = try await self.client.query(
            """
            SELECT payload, entity_type, entity_id, expires_at FROM inline_keyboard_cache
            WHERE token = \(token) AND bot = \(bot) AND expires_at > now()
            """,
            logger: self.logger
        )
        for try await (payload, entityType, entityID, expiresAt) in rows.decode((String, String?, String?, Date).self) {
            return CallbackPayload(payload: payload, entityType: entityType, entityID: entityID, expiresAt: expiresAt)
        }
        return nil
    }

    /// Deletes expired payloads and returns how many went.
    @discardableResult
    public func purgeExpired() async throws -> Int {
        let rows = try await self.client.query(
            """
            WITH purged AS (DELETE FROM inline_keyboard_cache WHERE expires_at <= now() RETURNING 1)
            SELECT count(*) FROM purged
            """,
            logger: self.logger
        )
        for try await count in rows.decode(Int.self) {
            return count
        }
        return 0
    }

    static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<12).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
    }
}
