import Foundation
import Localization
public import TelegramBotAPI

/// A message the operator API was asked to send, checked: one bot, one
/// recipient, a text or a template, optional photo and buttons. Codable, so
/// a schedule keeps it and renders it again at each occurrence.
public struct OperatorMessage: Sendable, Hashable, Codable {
    /// A template argument: text, or a whole number (which can choose a plural form).
    public enum Argument: Sendable, Hashable, Codable {
        case string(String)
        case int(Int)

        var message: MessageArgument {
            switch self {
            case .string(let value): .string(value)
            case .int(let value): .int(value)
            }
        }
    }

    /// A button under the message: it opens `url` or runs `command`.
    public struct Button: Sendable, Hashable, Codable {
        public var text: String
        public var url: String?
        public var command: String?
    }

    public var bot: String
    /// The chat to send to; for `telegram_user_id`, the user's private chat.
    public var chatID: Int64
    /// Whether the request named a user (`telegram_user_id`) rather than a chat.
    public var isUser: Bool
    public var text: String?
    public var parseMode: String?
    public var template: String?
    public var args: [String: Argument]
    public var buttons: [[Button]]
    public var photo: String?
    public var priority: OutboundSender.Priority

    /// The fields of a message body.
    static let fields: Set<String> = [
        "bot", "chat_id", "telegram_user_id", "text", "parse_mode", "template", "args", "buttons", "photo", "priority",
    ]

    /// The longest text Telegram sends, and the longest caption.
    static let textLimit = 4096
    static let captionLimit = 1024

    /// Reads and checks the message fields of `body`; `extra` names the other fields the endpoint takes.
    /// - Throws: ``APIError`` (400) naming the first field at fault.
    static func parse(_ body: [String: JSONValue], extra: Set<String>, bots: [String], catalogs: Catalogs, templates: (String) -> [String: MessageTemplate]) throws(APIError) -> OperatorMessage {
        if let unknown = body.keys.sorted().first(where: { !fields.contains($0) && !extra.contains($0) }) {
            throw .invalid(unknown, "not a field of this endpoint")
        }
        let bot: String
        switch body["bot"] {
        case nil, .null?:
            guard bots.count == 1 else { throw .invalid("bot", "several bots run here (\(bots.joined(separator: ", "))); name one") }
            bot = bots[0]
        case .string(let name)?:
            guard bots.contains(name) else { throw .invalid("bot", "no bot is named \"\(name.prefix(64))\"; configured: \(bots.joined(separator: ", "))") }
            bot = name
        case let other?:
            throw .invalid("bot", "expected a string, got \(other.kindName)")
        }
        let chat = try Self.integer(body, "chat_id")
        let user = try Self.integer(body, "telegram_user_id")
        let (chatID, isUser): (Int64, Bool)
        switch (chat, user) {
        case (nil, nil): throw .invalid("chat_id", "name one recipient: chat_id or telegram_user_id")
        case (_?, _?): throw .invalid("telegram_user_id", "name one recipient, not both chat_id and telegram_user_id")
        case (let chat?, nil):
            guard chat != 0 else { throw .invalid("chat_id", "0 is no chat") }
            (chatID, isUser) = (chat, false)
        case (nil, let user?):
            guard user > 0 else { throw .invalid("telegram_user_id", "a user id is a positive integer") }
            (chatID, isUser) = (user, true)
        }
        let text = try Self.string(body, "text")
        let parseMode = try Self.string(body, "parse_mode")
        if let parseMode, !["HTML", "MarkdownV2"].contains(parseMode) {
            throw .invalid("parse_mode", "expected HTML or MarkdownV2")
        }
        let template = try Self.string(body, "template")
        let photo = try Self.string(body, "photo")
        if let photo {
            guard !photo.isEmpty, photo.utf8.count <= 2048, !photo.contains(where: \.isWhitespace) else {
                throw .invalid("photo", "expected a Telegram file_id or an https URL")
            }
            if photo.contains(":"), !photo.hasPrefix("https://") { throw .invalid("photo", "a URL must be https") }
        }
        switch (text, template) {
        case (_?, _?): throw .invalid("template", "send a text or a template, not both")
        case (nil, nil) where photo == nil: throw .invalid("text", "send a text, a template or a photo")
        default: break
        }
        if template != nil, parseMode != nil { throw .invalid("parse_mode", "a template's text is plain; parse_mode goes with text") }
        var args: [String: Argument] = [:]
        switch body["args"] {
        case nil, .null?: break
        case .object(let object)?:
            guard template != nil else { throw .invalid("args", "args go with a template") }
            for (name, value) in object {
                switch value {
                case .string(let text) where text.count <= 1024: args[name] = .string(text)
                case .int(let number) where abs(number) < 1 << 53: args[name] = .int(Int(number))
                default: throw .invalid("args", "\(name.prefix(64)) must be a string of at most 1024 characters or an integer")
                }
            }
        case let other?: throw .invalid("args", "expected an object, got \(other.kindName)")
        }
        let priority: OutboundSender.Priority
        switch body["priority"] {
        case nil, .null?: priority = .normal
        case .string(let name)?:
            guard let value = OutboundSender.Priority(rawValue: name) else { throw .invalid("priority", "expected high, normal or low") }
            priority = value
        case let other?: throw .invalid("priority", "expected a string, got \(other.kindName)")
        }
        let message = OperatorMessage(
            bot: bot, chatID: chatID, isUser: isUser, text: text, parseMode: parseMode, template: template, args: args,
            buttons: try Self.buttons(body["buttons"]), photo: photo, priority: priority)
        // Rendering in every language checks the template, its arguments, lengths and buttons now, so nothing invalid is queued.
        for locale in catalogs.locales {
            _ = try message.call(locale: locale, catalogs: catalogs, templates: templates(bot))
        }
        return message
    }

    private static func integer(_ body: [String: JSONValue], _ field: String) throws(APIError) -> Int64? {
        switch body[field] {
        case nil, .null?: return nil
        case .int(let value)?: return value
        case let other?: throw .invalid(field, "expected an integer, got \(other.kindName)")
        }
    }

    private static func string(_ body: [String: JSONValue], _ field: String) throws(APIError) -> String? {
        switch body[field] {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw .invalid(field, "expected a string, got \(other.kindName)")
        }
    }

    private static func buttons(_ value: JSONValue?) throws(APIError) -> [[Button]] {
        guard let value, value != .null else { return [] }
        guard case .array(let rows) = value else { throw .invalid("buttons", "expected rows: an array of arrays of buttons") }
        guard rows.count <= 8 else { throw .invalid("buttons", "at most 8 rows") }
        var result: [[Button]] = []
        for row in rows {
            guard case .array(let items) = row, (1...8).contains(items.count) else { throw .invalid("buttons", "each row is an array of 1 to 8 buttons") }
            var buttons: [Button] = []
            for item in items {
                guard case .object(let object) = item else { throw .invalid("buttons", "each button is an object") }
                if let unknown = object.keys.sorted().first(where: { !["text", "url", "command"].contains($0) }) {
                    throw .invalid("buttons", "\(unknown.prefix(64)) is not a button field (text, url, command)")
                }
                guard case .string(let text)? = object["text"], (1...64).contains(text.count) else {
                    throw .invalid("buttons", "each button needs a text of 1 to 64 characters")
                }
                switch (object["url"], object["command"]) {
                case (.string(let url)?, nil):
                    guard url.hasPrefix("https://") || url.hasPrefix("http://") || url.hasPrefix("tg://"), url.count <= 2048,
                          !url.contains(where: \.isWhitespace)
                    else { throw .invalid("buttons", "a button url must be an http, https or tg link without spaces") }
                    buttons.append(Button(text: text, url: url))
                case (nil, .string(let command)?):
                    buttons.append(Button(text: text, command: try Self.command(command, field: "buttons")))
                default:
                    throw .invalid("buttons", "each button has either a url or a command, both strings")
                }
            }
            result.append(buttons)
        }
        return result
    }

    /// `command` as a ``AuthMiddleware/commandButtonPrefix`` button runs it: `name` or `name arguments`, without the slash.
    static func command(_ command: String, field: String) throws(APIError) -> String {
        let trimmed = command.hasPrefix("/") ? String(command.dropFirst()) : command
        let name = trimmed.prefix { $0 != " " }
        guard (1...32).contains(name.count), name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            throw .invalid(field, "a command is a name of 1 to 32 of a-z 0-9 _, optionally followed by a space and arguments")
        }
        let data = AuthMiddleware.commandButtonPrefix + trimmed
        guard data.utf8.count <= InlineKeyboardButton.maximumCallbackDataBytes else {
            throw .invalid(field, "the command \"\(trimmed.prefix(80))\" makes a callback_data of \(data.utf8.count) bytes; Telegram takes 64")
        }
        return trimmed
    }

    /// The Bot API call that sends this message in `locale`.
    /// - Throws: ``APIError`` (400) when the template, its arguments or the result does not fit.
    func call(locale: LocaleCode, catalogs: Catalogs, templates: [String: MessageTemplate]) throws(APIError) -> OutboundCall {
        var body = self.text
        var rows: [[InlineKeyboardButton]] = []
        if let key = self.template {
            guard catalogs[locale]?[key] != nil || catalogs[catalogs.defaultLocale]?[key] != nil else {
                throw .invalid("template", "no message \"\(key.prefix(100))\" in the bot's catalogs")
            }
            let definition = templates[key]
            let required = definition?.arguments ?? Set(catalogs.locales.flatMap { catalogs[$0]?[key]?.placeholders ?? [] })
            if let missing = required.subtracting(self.args.keys).sorted().first {
                throw .invalid("args", "the template \(key) needs \(missing)")
            }
            let given = self.args.mapValues(\.message)
            var arguments = given
            if let definition {
                switch definition.derive(given, locale) {
                case .success(let derived): arguments = derived
                case .failure(let problem): throw .invalid("args", "\(problem.argument): \(problem.message)")
                }
            }
            let texts = catalogs.localizer(for: locale)
            body = texts.text(key, arguments)
            for row in definition?.buttons ?? [] {
                var buttons: [InlineKeyboardButton] = []
                for button in row {
                    let command = try Self.command(Template.render(button.command, arguments: given), field: "args")
                    guard let made = try? InlineKeyboardButton.callback(texts.text(button.label), data: AuthMiddleware.commandButtonPrefix + command) else {
                        throw .invalid("args", "the template's button \(button.label) cannot be made from these arguments")
                    }
                    buttons.append(made)
                }
                rows.append(buttons)
            }
        }
        for row in self.buttons {
            rows.append(row.compactMap { button in
                if let url = button.url { return try? InlineKeyboardButton.url(button.text, url: url) }
                return button.command.flatMap { try? InlineKeyboardButton.callback(button.text, data: AuthMiddleware.commandButtonPrefix + $0) }
            })
        }
        let markup = rows.isEmpty ? nil : ReplyMarkup.inlineKeyboard(InlineKeyboardMarkup(rows: rows))
        let parseMode = self.parseMode.map(ParseMode.init(rawValue:))
        if let photo = self.photo {
            if let body, body.count > Self.captionLimit {
                throw .invalid(self.template == nil ? "text" : "template", "a caption is \(body.count) characters; Telegram takes \(Self.captionLimit)")
            }
            if self.parseMode == "HTML", let body, let problem = TelegramHTML.problem(in: body) { throw .invalid("text", problem) }
            let file: InputFile = photo.hasPrefix("https://") ? .url(photo) : .fileID(photo)
            return .sendPhoto(SendPhoto(chatID: self.chatID, photo: file, caption: body, parseMode: parseMode, replyMarkup: markup))
        }
        let text = body ?? ""
        guard !text.isEmpty else { throw .invalid("text", "the text is empty") }
        guard text.count <= Self.textLimit else {
            throw .invalid(self.template == nil ? "text" : "template", "\(text.count) characters; Telegram takes \(Self.textLimit)")
        }
        if self.parseMode == "HTML", let problem = TelegramHTML.problem(in: text) { throw .invalid("text", problem) }
        return .sendMessage(SendMessage(chatID: self.chatID, text: text, parseMode: parseMode, replyMarkup: markup))
    }
}
