/// One Bot API method: its parameters as an `Encodable` value, its name in
/// the URL and the type of its result.
///
/// ``BotAPIClient/call(_:)`` sends any conformer as a JSON body, or as
/// `multipart/form-data` when it uploads files.
public protocol BotAPIMethod: Encodable, Sendable {
    /// What the method returns in the `result` field of the response.
    associatedtype Result: Decodable & Sendable

    /// The method's name as Telegram spells it, e.g. `sendMessage`.
    static var name: String { get }

    /// Files to upload, by form field. A call with any goes as
    /// `multipart/form-data`; the fields named here replace their JSON values.
    var uploads: [(field: String, file: FileUpload)] { get }

    /// How long Telegram may hold the request open before answering (long
    /// polling); the client waits this long in addition to its request timeout.
    var serverHoldTime: Duration { get }
}

extension BotAPIMethod {
    public var uploads: [(field: String, file: FileUpload)] { [] }

    public var serverHoldTime: Duration { .zero }
}
