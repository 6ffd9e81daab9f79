import Foundation
import TelegramBotAPI

/// One Bot API call the emulator answered, for tests to inspect.
public struct RecordedCall: Sendable {
    /// The method name as requested, such as `sendMessage`.
    public var method: String
    /// The parameters as one JSON object, whatever encoding the request used; an uploaded file
    /// appears as `{"filename": …, "size": …}`.
    public var parameters: JSONValue
    /// Files uploaded with the call, by field name (`photo`, `certificate`).
    public var files: [String: UploadedFile]
    /// When the call arrived.
    public var date: Date
    /// When the call arrived, on the monotonic clock the emulator's limits run on, so that tests
    /// can check spacing such as a 429's `retry_after` against ``answered``.
    public var arrived: ContinuousClock.Instant
    /// When the emulator answered: after `getUpdates` held the request open, after a 429 was
    /// decided. A client can act on the answer no earlier than this.
    public var answered: ContinuousClock.Instant
    /// The HTTP status of the answer.
    public var status: Int
    /// Telegram's `description` of a failure; nil on success.
    public var errorDescription: String?
    /// The `retry_after` seconds of a 429; nil for any other answer.
    public var retryAfter: Int?

    /// A parameter by name.
    public subscript(parameter: String) -> JSONValue? {
        parameters[parameter]
    }
}
