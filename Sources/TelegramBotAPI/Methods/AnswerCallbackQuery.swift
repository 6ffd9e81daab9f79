/// Parameters of `answerCallbackQuery`: stops the button's progress
/// indicator, optionally with a notice or an alert. Not limited per chat.
public struct AnswerCallbackQuery: BotAPIMethod, Decodable, Hashable {
    public typealias Result = Bool
    public static let name = "answerCallbackQuery"

    /// ``CallbackQuery/id`` of the press being answered.
    public var callbackQueryID: String
    /// A notice at the top of the chat (an alert if `showAlert`), 0 to 200 characters.
    public var text: String?
    public var showAlert: Bool?
    /// A URL the client opens (a game, or a `t.me/bot?start=` link).
    public var url: String?
    /// Seconds the client may cache this answer.
    public var cacheTime: Int?

    /// Creates the parameters.
    public init(callbackQueryID: String, text: String? = nil, showAlert: Bool? = nil, url: String? = nil, cacheTime: Int? = nil) {
        self.callbackQueryID = callbackQueryID
        self.text = text
        self.showAlert = showAlert
        self.url = url
        self.cacheTime = cacheTime
    }

    enum CodingKeys: String, CodingKey {
        case callbackQueryID = "callback_query_id"
        case text
        case showAlert = "show_alert"
        case url
        case cacheTime = "cache_time"
    }
}
