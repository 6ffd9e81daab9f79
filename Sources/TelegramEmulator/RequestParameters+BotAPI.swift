import TelegramBotAPI

extension RequestParameters {
    /// `chat_id` as a number; Telegram also accepts `@username`, which the fake knows no chat by.
    func chatID() throws -> Int64 {
        guard let value = self["chat_id"], let text = value.stringValue, !text.isEmpty else {
            throw BotAPIFailure.missing("chat_id")
        }
        guard let id = value.intValue else { throw BotAPIFailure.chatNotFound }
        return id
    }

    /// A required integer parameter, such as `message_id`.
    func requiredInt(_ name: String) throws -> Int {
        guard let value = self[name], let text = value.stringValue, !text.isEmpty else {
            throw BotAPIFailure.missing(name)
        }
        guard let number = value.intValue, let int = Int(exactly: number) else {
            throw BotAPIFailure.badRequest("invalid \(name) specified")
        }
        return int
    }

    /// An optional integer parameter.
    func int(_ name: String) -> Int? {
        self[name]?.intValue.flatMap { Int(exactly: $0) }
    }

    /// `reply_markup`, checked as Telegram checks inline buttons.
    func replyMarkup() throws -> ReplyMarkup? {
        guard let value = self["reply_markup"], value != .null else { return nil }
        let markup: ReplyMarkup
        do {
            markup = try value.decode(ReplyMarkup.self)
        } catch {
            throw BotAPIFailure.badRequest("can't parse reply keyboard markup JSON object")
        }
        if case .inlineKeyboard(let keyboard) = markup {
            for button in keyboard.rows.joined() {
                if case .callbackData(let data) = button.action,
                    !(1...InlineKeyboardButton.maximumCallbackDataBytes).contains(data.utf8.count)
                {
                    throw BotAPIFailure.buttonDataInvalid
                }
            }
        }
        return markup
    }

    /// An entity list such as `entities` or `caption_entities`.
    func entities(_ name: String) throws -> [MessageEntity]? {
        guard let value = self[name], value != .null else { return nil }
        do {
            return try value.decode([MessageEntity].self)
        } catch {
            throw BotAPIFailure.badRequest("can't parse entities JSON object")
        }
    }

    /// The message to reply to, from `reply_parameters` or the older `reply_to_message_id`.
    var replyToMessageID: Int? {
        if let parameters = self["reply_parameters"], let decoded = try? parameters.decode(JSONValue.self) {
            return decoded["message_id"]?.intValue.flatMap { Int(exactly: $0) }
        }
        return int("reply_to_message_id")
    }
}
