public import Persistence
public import TelegramBotAPI

/// What a broadcast sends: a text, or a photo with an optional caption, as
/// the admin wrote it — plain unless they chose HTML.
public struct BroadcastContent: Sendable, Hashable, Codable {
    /// The message's text; nil for a photo.
    public var text: String?
    /// The photo's `file_id`, as the admin sent it.
    public var photo: String?
    /// The photo's caption.
    public var caption: String?
    /// Whether the text or caption is Telegram HTML.
    public var isHTML: Bool

    /// Telegram's limit on a message's text.
    public static let textLimit = 4096
    /// Telegram's limit on a photo's caption.
    public static let captionLimit = 1024

    /// Creates content.
    public init(text: String? = nil, photo: String? = nil, caption: String? = nil, isHTML: Bool = false) {
        self.text = text
        self.photo = photo
        self.caption = caption
        self.isHTML = isHTML
    }

    /// The call that sends it to `chatID`, with `keyboard` under it if any.
    public func call(to chatID: Int64, keyboard: InlineKeyboardMarkup? = nil) -> OutboundCall {
        let parseMode: ParseMode? = self.isHTML ? .html : nil
        if let photo = self.photo {
            return .sendPhoto(SendPhoto(
                chatID: chatID, photo: .fileID(photo), caption: self.caption, parseMode: self.caption == nil ? nil : parseMode,
                replyMarkup: keyboard.map(ReplyMarkup.inlineKeyboard)))
        }
        return .sendMessage(SendMessage(
            chatID: chatID, text: self.text ?? "", parseMode: parseMode, replyMarkup: keyboard.map(ReplyMarkup.inlineKeyboard)))
    }
}

/// Where a broadcast is in its life.
public enum BroadcastStatus: String, Sendable, Hashable, CaseIterable {
    /// Confirmed, waiting for the one before it.
    case queued
    /// Being sent.
    case running
    /// Stopped by an admin; **Resume** goes on from where it stopped.
    case paused
    /// Stopped for good by an admin.
    case cancelled
    /// Every recipient has an outcome.
    case done

    /// Whether nothing more will be sent.
    public var isFinal: Bool { self == .cancelled || self == .done }
}

/// One broadcast as stored: what it sends, to how many, how far it got.
public struct Broadcast: Sendable, Hashable {
    /// The broadcast's number within its bot (`#7`).
    public var id: Int
    public var bot: BotID
    public var status: BroadcastStatus
    public var content: BroadcastContent
    public var audience: BroadcastAudience
    /// Recipients resolved at Confirm.
    public var total: Int
    /// Recipients handed to the sender so far.
    public var cursor: Int
    public var sent: Int
    /// Recipients who blocked the bot (403): marked inactive.
    public var blocked: Int
    /// Recipients Telegram refused for another reason.
    public var failed: Int
    /// The admin's chat, where progress is shown.
    public var adminChat: Int64
    /// The admin's language, for the progress message.
    public var locale: String
    /// The progress message, once sent.
    public var progressMessage: Int?
    /// Milliseconds since 1970 (Redis time) at Confirm, at the first send, at the end.
    public var created: Int64
    public var started: Int64?
    public var finished: Int64?

    /// Recipients with an outcome.
    public var done: Int { self.sent + self.blocked + self.failed }
}

/// Why a broadcast could not be started or changed.
public struct BroadcastError: Error, Sendable, CustomStringConvertible {
    /// What kind of problem it is.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        /// The audience has nobody in it.
        public static let emptyAudience = Code(name: "emptyAudience")
        /// The text or caption is longer than Telegram takes, or its HTML is not Telegram's.
        public static let invalidContent = Code(name: "invalidContent")
        /// Redis or PostgreSQL did not answer; nothing was started.
        public static let storeUnavailable = Code(name: "storeUnavailable")
        /// No such broadcast.
        public static let notFound = Code(name: "notFound")
        public var description: String { self.name }
    }

    public var code: Code
    /// What happened and what to do.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.code): \(self.message)" }
}
