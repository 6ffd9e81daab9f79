/// Why a Bot API call failed: Telegram's refusal or a network failure.
///
/// Its text never contains the bot token: Telegram's descriptions and
/// transport messages are redacted, and request URLs are never included.
public struct BotAPIError: Error, Sendable, CustomDebugStringConvertible {
    /// The kind of failure, stable enough to switch on.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable {
            case rateLimited
            case badRequest
            case unauthorized
            case forbidden
            case notFound
            case conflict
            case rejected
            case serverError
            case network
            case timedOut
            case cancelled
            case invalidResponse
            case invalidRequest
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// 429: too many requests; wait ``BotAPIError/retryAfter``.
        public static let rateLimited = Code(.rateLimited)
        /// 400: bad parameters, chat not found, message not modified… If
        /// ``BotAPIError/migrateToChatID`` is set, the group became a supergroup.
        public static let badRequest = Code(.badRequest)
        /// 401: the token is wrong or revoked; check the bot's configuration.
        public static let unauthorized = Code(.unauthorized)
        /// 403: the user blocked the bot, or the bot was removed from the chat.
        public static let forbidden = Code(.forbidden)
        /// 404: no such method (often a wrong token or base URL).
        public static let notFound = Code(.notFound)
        /// 409: a webhook is set while polling, or another instance polls.
        public static let conflict = Code(.conflict)
        /// Any other 4xx refusal.
        public static let rejected = Code(.rejected)
        /// 5xx: Telegram's trouble; the call may succeed later.
        public static let serverError = Code(.serverError)
        /// No answer: the connection failed or broke (DNS, TCP, TLS).
        public static let network = Code(.network)
        /// No complete answer within the request timeout.
        public static let timedOut = Code(.timedOut)
        /// The calling task was cancelled or the HTTP client shut down.
        public static let cancelled = Code(.cancelled)
        /// The server answered with something that is not a Bot API response.
        public static let invalidResponse = Code(.invalidResponse)
        /// The call could not be built (its parameters did not encode, or the
        /// base URL is unusable); nothing was sent.
        public static let invalidRequest = Code(.invalidRequest)

        /// What a sender should do about a failure of this kind.
        public var disposition: Disposition {
            switch base {
            case .rateLimited: .rateLimited
            case .serverError, .network, .timedOut, .cancelled: .transient
            case .unauthorized, .notFound, .invalidResponse: .botUnavailable
            case .badRequest, .forbidden, .conflict, .rejected, .invalidRequest:
                .permanent
            }
        }

        public var description: String { base.rawValue }

        /// The code for a Telegram `error_code` (HTTP-like).
        init(errorCode: Int) {
            switch errorCode {
            case 429: self = .rateLimited
            case 400: self = .badRequest
            case 401: self = .unauthorized
            case 403: self = .forbidden
            case 404: self = .notFound
            case 409: self = .conflict
            case 500...599: self = .serverError
            default: self = .rejected
            }
        }
    }

    /// How a failure should be handled.
    public enum Disposition: Sendable, Hashable {
        /// Wait ``BotAPIError/retryAfter``, then send again.
        case rateLimited
        /// Retrying the same call cannot help.
        case permanent
        /// Nothing is wrong with this call: the bot cannot send at all (401
        /// revoked or wrong token, 404 wrong base URL, an answer that is not
        /// the Bot API's, such as a proxy's page). A sender fails it at once;
        /// a durable caller keeps it and waits until `getMe` succeeds again.
        case botUnavailable
        /// Retrying later may succeed; the call may or may not have taken effect.
        case transient
    }

    /// The kind of failure.
    public var code: Code
    /// The Bot API method that failed, e.g. `sendMessage`.
    public var method: String
    /// Telegram's `error_code` (HTTP-like: 400, 403, 429, 5xx), or the HTTP
    /// status when the body was not a Bot API response; nil when no answer came.
    public var errorCode: Int?
    /// Telegram's explanation (`Forbidden: bot was blocked by the user`) or
    /// what went wrong on the way, with the token redacted.
    public var description: String
    /// For ``Code/rateLimited``: how long Telegram asks to wait.
    public var retryAfter: Duration?
    /// For a group upgraded to a supergroup: the chat id to send to instead.
    public var migrateToChatID: Int64?

    /// Creates an error; `description` must already be free of the token.
    public init(
        _ code: Code,
        method: String,
        errorCode: Int? = nil,
        description: String,
        retryAfter: Duration? = nil,
        migrateToChatID: Int64? = nil
    ) {
        self.code = code
        self.method = method
        self.errorCode = errorCode
        self.description = description
        self.retryAfter = retryAfter
        self.migrateToChatID = migrateToChatID
    }

    /// What a sender should do about this failure.
    public var disposition: Disposition { code.disposition }

    /// `BotAPIError.forbidden (403) in sendMessage: Forbidden: bot was blocked by the user`.
    public var debugDescription: String {
        let status = errorCode.map { " (\($0))" } ?? ""
        return "BotAPIError.\(code)\(status) in \(method): \(description)"
    }
}
