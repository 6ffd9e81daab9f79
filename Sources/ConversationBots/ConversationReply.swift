public import TelegramBotAPI

/// What one step says back, gathered as it is decided and sent as one
/// message: Telegram allows about one message a second per chat, so a
/// notice, a prompt and a menu go out together. A pressed button's message
/// is edited into an answer that brings its own buttons (the next screen, a
/// menu); anything else gets a new message, so a bare notice ("the service
/// is unavailable, press again") leaves the pressed screen and its buttons
/// in place.
public struct ConversationReply: Sendable {
    private let chatID: Int64
    private let threadID: Int?
    private let query: CallbackQuery?
    private var paragraphs: [String] = []
    private var leading: [OutboundCall] = []
    private var keyboard: InlineKeyboardMarkup?
    private var editsPressedMessage = true

    /// Starts an empty reply to `update` in the chat `chatID`.
    public init(update: Update, chatID: Int64) {
        self.chatID = chatID
        self.query = update.callbackQuery
        self.threadID = update.message?.messageThreadID
    }

    /// Adds a paragraph; an empty text adds nothing.
    public mutating func say(_ text: String) {
        if !text.isEmpty { self.paragraphs.append(text) }
    }

    /// Shows `keyboard` under the message; the last one set wins.
    public mutating func show(_ keyboard: InlineKeyboardMarkup?) {
        self.keyboard = keyboard
    }

    /// Sends `call` before the reply's message, such as a preview the message is about.
    public mutating func sendFirst(_ call: OutboundCall) {
        self.leading.append(call)
    }

    /// Answers with a new message even after a press: in a group the
    /// pressed message may be another member's screen, not this user's to change.
    public mutating func keepPressedMessage() {
        self.editsPressedMessage = false
    }

    /// The Bot API calls: the callback answer first, so the button stops spinning at once.
    public func calls() -> [OutboundCall] {
        var calls: [OutboundCall] = []
        if let query {
            calls.append(.answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: query.id)))
        }
        calls += self.leading
        guard !self.paragraphs.isEmpty else { return calls }
        let text = self.paragraphs.joined(separator: "\n\n")
        if self.editsPressedMessage, self.keyboard != nil, let message = self.query?.message?.accessibleMessage, message.from?.isBot ?? true {
            calls.append(.editMessageText(EditMessageText(
                .message(chatID: self.chatID, messageID: message.messageID),
                text: text,
                replyMarkup: self.keyboard
            )))
        } else {
            calls.append(.sendMessage(SendMessage(
                chatID: self.chatID,
                text: text,
                messageThreadID: self.threadID,
                replyMarkup: self.keyboard.map(ReplyMarkup.inlineKeyboard)
            )))
        }
        return calls
    }
}
