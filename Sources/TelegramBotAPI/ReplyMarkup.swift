/// The `reply_markup` of an outgoing message: one of the four kinds Telegram
/// accepts, encoded as that kind's object.
public enum ReplyMarkup: Codable, Sendable, Hashable {
    case inlineKeyboard(InlineKeyboardMarkup)
    case replyKeyboard(ReplyKeyboardMarkup)
    case removeKeyboard(ReplyKeyboardRemove)
    case forceReply(ForceReply)

    private enum CodingKeys: String, CodingKey {
        case inlineKeyboard = "inline_keyboard"
        case keyboard
        case removeKeyboard = "remove_keyboard"
        case forceReply = "force_reply"
    }

    /// Tells the kinds apart by their one required key.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.inlineKeyboard) {
            self = .inlineKeyboard(try InlineKeyboardMarkup(from: decoder))
        } else if container.contains(.keyboard) {
            self = .replyKeyboard(try ReplyKeyboardMarkup(from: decoder))
        } else if container.contains(.removeKeyboard) {
            self = .removeKeyboard(try ReplyKeyboardRemove(from: decoder))
        } else if container.contains(.forceReply) {
            self = .forceReply(try ForceReply(from: decoder))
        } else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "expected one of inline_keyboard, keyboard, remove_keyboard, force_reply"
                )
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .inlineKeyboard(let markup): try markup.encode(to: encoder)
        case .replyKeyboard(let markup): try markup.encode(to: encoder)
        case .removeKeyboard(let markup): try markup.encode(to: encoder)
        case .forceReply(let markup): try markup.encode(to: encoder)
        }
    }
}
