import Foundation

/// A callback payload stored under a token, as ``CallbackPayloadStore/payload(token:bot:)`` returns it.
public struct CallbackPayload: Sendable, Hashable {
    /// The payload exactly as stored.
    public var payload: String
    /// What the button is about (`request`), if given.
    public var entityType: String?
    /// Which one (`R-000981`), if given.
    public var entityID: String?
    public var expiresAt: Date

    public init(payload: String, entityType: String? = nil, entityID: String? = nil, expiresAt: Date) {
        self.payload = payload
        self.entityType = entityType
        self.entityID = entityID
        self.expiresAt = expiresAt
    }
}
