import Foundation

/// One attempt to POST an update to the webhook.
public struct WebhookDelivery: Sendable {
    public var updateID: Int
    /// 1 for the first attempt of this update.
    public var attempt: Int
    /// The HTTP status the webhook answered; nil when no answer came.
    public var status: Int?
    /// What went wrong, in the words `getWebhookInfo` reports; nil on success.
    public var error: String?
    public var date: Date

    /// True when the webhook answered 2xx.
    public var succeeded: Bool {
        status.map { (200..<300).contains($0) } ?? false
    }
}
