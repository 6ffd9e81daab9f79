/// The envelope of every Bot API response:
/// `{"ok": true, "result": …}` or `{"ok": false, "error_code": …, "description": …, "parameters": …}`.
public struct BotAPIResponse<Result: Decodable>: Decodable {
    /// True when the request succeeded and `result` holds its value.
    public var ok: Bool
    public var result: Result?
    /// An HTTP-like status: 400 bad request, 403 forbidden (bot blocked or
    /// kicked), 429 too many requests, 5xx Telegram's trouble.
    public var errorCode: Int?
    /// Telegram's explanation of a failure, for logs.
    public var description: String?
    public var parameters: ResponseParameters?

    /// Creates a response; used by emulators and tests.
    public init(ok: Bool, result: Result? = nil, errorCode: Int? = nil, description: String? = nil, parameters: ResponseParameters? = nil) {
        self.ok = ok
        self.result = result
        self.errorCode = errorCode
        self.description = description
        self.parameters = parameters
    }

    enum CodingKeys: String, CodingKey {
        case ok
        case result
        case errorCode = "error_code"
        case description
        case parameters
    }
}

extension BotAPIResponse: Sendable where Result: Sendable {}
extension BotAPIResponse: Equatable where Result: Equatable {}
extension BotAPIResponse: Encodable where Result: Encodable {}
