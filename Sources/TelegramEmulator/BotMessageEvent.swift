import TelegramBotAPI

/// Something the bot did to a message in one chat: sent it, edited it or deleted it.
public struct BotMessageEvent: Sendable {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        case sent
        case edited
        case deleted
    }

    /// Increasing per chat from 1; pass the last one seen to `waitForBotMessage(chat:after:timeout:)`.
    public var sequence: Int
    public var kind: Kind
    /// The Bot API method that did it.
    public var method: String
    /// The message after the change (for a deletion, as it was before).
    public var message: Message
    /// The markup exactly as sent, including reply keyboards, which a `Message` does not carry.
    public var replyMarkup: ReplyMarkup?

    /// The labels of the inline keyboard's buttons, row by row.
    public var buttonLabels: [[String]] {
        message.replyMarkup?.rows.map { $0.map(\.text) } ?? []
    }
}
