/// Parameters of `editMessageReplyMarkup`: replaces a message's inline
/// keyboard; no `replyMarkup` removes it.
public struct EditMessageReplyMarkup: BotAPIMethod, Decodable, Hashable {
    public typealias Result = EditedMessage
    public static let name = "editMessageReplyMarkup"

    public var target: EditTarget
    public var replyMarkup: InlineKeyboardMarkup?

    /// Creates the parameters.
    public init(_ target: EditTarget, replyMarkup: InlineKeyboardMarkup?) {
        self.target = target
        self.replyMarkup = replyMarkup
    }

    enum CodingKeys: String, CodingKey {
        case replyMarkup = "reply_markup"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try EditTarget(from: decoder), replyMarkup: try container.decodeIfPresent(InlineKeyboardMarkup.self, forKey: .replyMarkup))
    }

    public func encode(to encoder: any Encoder) throws {
        try target.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(replyMarkup, forKey: .replyMarkup)
    }
}
