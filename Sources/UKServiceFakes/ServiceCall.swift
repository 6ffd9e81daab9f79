import Foundation
public import TelegramBotAPI
import TelegramEmulator

/// One request the fake services answered, for tests to inspect.
public struct ServiceCall: Sendable {
    /// The matched route; nil for a path no route serves.
    public var route: ServiceRoute?
    public var method: String
    /// Path and query as requested.
    public var uri: String
    /// The `X-Request-ID` header.
    public var requestID: String?
    /// The `Idempotency-Key` header.
    public var idempotencyKey: String?
    /// The id of the user the bearer token belongs to, when it was valid.
    public var userID: String?
    /// The JSON body, if any.
    public var body: JSONValue?
    /// The status answered.
    public var status: Int
    /// The JSON body answered.
    public var answer: JSONValue?
    public var date: Date
}
