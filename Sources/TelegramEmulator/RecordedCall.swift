import Foundation

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
    /// The HTTP status of the answer.
    public var status: Int
    /// Telegram's `description` of a failure; nil on success.
    public var errorDescription: String?

    /// A parameter by name.
    public subscript(parameter: String) -> JSONValue? {
        parameters[parameter]
    }
}
