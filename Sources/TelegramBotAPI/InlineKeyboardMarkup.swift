/// An inline keyboard shown under a message (Bot API `InlineKeyboardMarkup`).
public struct InlineKeyboardMarkup: Codable, Sendable, Hashable {
    /// The buttons, row by row.
    public var rows: [[InlineKeyboardButton]]

    /// Creates a keyboard from rows of buttons; build buttons with the
    /// validating factories such as ``InlineKeyboardButton/callback(_:data:)``.
    /// An empty keyboard removes the keyboard when a message is edited.
    public init(rows: [[InlineKeyboardButton]]) {
        self.rows = rows
    }

    enum CodingKeys: String, CodingKey {
        case rows = "inline_keyboard"
    }
}

/// One button of an inline keyboard (Bot API `InlineKeyboardButton`): a label
/// and exactly one action.
public struct InlineKeyboardButton: Codable, Sendable, Hashable {
    /// What pressing the button does; Telegram requires exactly one.
    public enum Action: Sendable, Hashable {
        /// Sends a callback query with this data (1…64 bytes of UTF-8) to the bot.
        case callbackData(String)
        /// Opens an HTTP(S) or `tg://` URL.
        case url(String)
        /// Opens a Web App at this HTTPS URL.
        case webApp(url: String)
        /// Inserts the bot's username and this query in a chat the user picks.
        case switchInlineQuery(String)
        /// Inserts the bot's username and this query in the current chat.
        case switchInlineQueryCurrentChat(String)
        /// Copies this text to the clipboard.
        case copyText(String)
        /// A kind of button this library does not model, met when decoding a
        /// message from Telegram (whose keyboard holds, say, a game button);
        /// it cannot be encoded back.
        case unsupported
    }

    /// The label on the button.
    public var text: String
    public var action: Action

    /// Creates a button after checking what Telegram checks.
    ///
    /// - Throws: ``KeyboardError`` if the label is empty or the callback data is
    ///   not 1…64 bytes of UTF-8 (a Cyrillic or emoji payload can be short in
    ///   characters and still too long in bytes).
    public init(text: String, action: Action) throws {
        guard !text.isEmpty else {
            throw KeyboardError(
                code: .emptyText,
                buttonText: text,
                message: "the label is empty; Telegram requires a visible label"
            )
        }
        if case .callbackData(let data) = action {
            let bytes = data.utf8.count
            guard (1...Self.maximumCallbackDataBytes).contains(bytes) else {
                throw KeyboardError(
                    code: .callbackDataLength,
                    buttonText: text,
                    message: "callback_data is \(bytes) bytes of UTF-8, Telegram accepts 1…\(Self.maximumCallbackDataBytes); "
                        + "keep a short token in it and the payload elsewhere (the inline keyboard cache)"
                )
            }
        }
        self.text = text
        self.action = action
    }

    /// A button as Telegram sent it, without the checks (as `init(from:)`).
    init(decodedText text: String, action: Action) {
        self.text = text
        self.action = action
    }

    /// The largest `callback_data` Telegram accepts, in bytes of UTF-8.
    public static let maximumCallbackDataBytes = 64

    /// A button that sends `data` back to the bot in a callback query.
    /// - Throws: ``KeyboardError`` if `data` is not 1…64 bytes of UTF-8.
    public static func callback(_ text: String, data: String) throws -> InlineKeyboardButton {
        try InlineKeyboardButton(text: text, action: .callbackData(data))
    }

    /// A button that opens `url`.
    /// - Throws: ``KeyboardError`` if the label is empty.
    public static func url(_ text: String, url: String) throws -> InlineKeyboardButton {
        try InlineKeyboardButton(text: text, action: .url(url))
    }

    enum CodingKeys: String, CodingKey {
        case text
        case callbackData = "callback_data"
        case url
        case webApp = "web_app"
        case switchInlineQuery = "switch_inline_query"
        case switchInlineQueryCurrentChat = "switch_inline_query_current_chat"
        case copyText = "copy_text"
    }

    /// The `{"url": …}` and `{"text": …}` objects of `web_app` and `copy_text`.
    private struct WrappedURL: Codable {
        var url: String
    }

    private struct WrappedText: Codable {
        var text: String
    }

    /// Decodes without the label and data checks: what Telegram sends is taken
    /// as it is.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.text = try container.decode(String.self, forKey: .text)
        if let data = try container.decodeIfPresent(String.self, forKey: .callbackData) {
            self.action = .callbackData(data)
        } else if let url = try container.decodeIfPresent(String.self, forKey: .url) {
            self.action = .url(url)
        } else if let webApp = try container.decodeIfPresent(WrappedURL.self, forKey: .webApp) {
            self.action = .webApp(url: webApp.url)
        } else if let query = try container.decodeIfPresent(String.self, forKey: .switchInlineQuery) {
            self.action = .switchInlineQuery(query)
        } else if let query = try container.decodeIfPresent(String.self, forKey: .switchInlineQueryCurrentChat) {
            self.action = .switchInlineQueryCurrentChat(query)
        } else if let copy = try container.decodeIfPresent(WrappedText.self, forKey: .copyText) {
            self.action = .copyText(copy.text)
        } else {
            self.action = .unsupported
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(text, forKey: .text)
        switch action {
        case .callbackData(let data): try container.encode(data, forKey: .callbackData)
        case .url(let url): try container.encode(url, forKey: .url)
        case .webApp(let url): try container.encode(WrappedURL(url: url), forKey: .webApp)
        case .switchInlineQuery(let query): try container.encode(query, forKey: .switchInlineQuery)
        case .switchInlineQueryCurrentChat(let query): try container.encode(query, forKey: .switchInlineQueryCurrentChat)
        case .copyText(let text): try container.encode(WrappedText(text: text), forKey: .copyText)
        case .unsupported:
            throw EncodingError.invalidValue(
                action,
                EncodingError.Context(
                    codingPath: container.codingPath,
                    debugDescription: "button \"\(text)\" has an action this library does not model; Telegram would reject it without one"
                )
            )
        }
    }
}
