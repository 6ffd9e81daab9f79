import FastJSON

/// The Bot API bodies of the replies every update makes, written by hand
/// byte for byte as `JSONEncoder` writes them (through `JSONEncoder` they
/// were about 120,000 instructions per update, callgrind). A part no writer
/// here handles (entities, link preview options, reply parameters, a button
/// this library cannot encode) answers nil, and `JSONEncoder` writes the
/// body, or says why it cannot.
extension TelegramJSON {
    /// `call`'s JSON body, or nil when it is left to `JSONEncoder`.
    static func body(of call: OutboundCall) -> [UInt8]? {
        var writer = JSONWriter(escapingSlashes: true)
        let written =
            switch call {
            case .sendMessage(let parameters): Self.write(parameters, to: &writer)
            case .editMessageText(let parameters): Self.write(parameters, to: &writer)
            case .editMessageReplyMarkup(let parameters): Self.write(parameters, to: &writer)
            case .answerCallbackQuery(let parameters): Self.write(parameters, to: &writer)
            case .deleteMessage(let parameters): Self.write(parameters, to: &writer)
            case .sendPhoto, .setMyCommands: false
            }
        return written ? writer.bytes : nil
    }

    private static func write(_ parameters: SendMessage, to writer: inout JSONWriter) -> Bool {
        guard parameters.entities == nil, parameters.linkPreviewOptions == nil, parameters.replyParameters == nil else { return false }
        writer.raw("{\"chat_id\":")
        writer.int(parameters.chatID)
        Self.write(",\"message_thread_id\":", parameters.messageThreadID, to: &writer)
        writer.raw(",\"text\":")
        writer.string(parameters.text)
        Self.write(",\"parse_mode\":", parameters.parseMode?.rawValue, to: &writer)
        Self.write(",\"disable_notification\":", parameters.disableNotification, to: &writer)
        Self.write(",\"protect_content\":", parameters.protectContent, to: &writer)
        if let markup = parameters.replyMarkup {
            writer.raw(",\"reply_markup\":")
            guard Self.write(markup, to: &writer) else { return false }
        }
        writer.byte(UInt8(ascii: "}"))
        return true
    }

    private static func write(_ parameters: EditMessageText, to writer: inout JSONWriter) -> Bool {
        guard parameters.entities == nil, parameters.linkPreviewOptions == nil else { return false }
        Self.write(parameters.target, to: &writer)
        writer.raw(",\"text\":")
        writer.string(parameters.text)
        Self.write(",\"parse_mode\":", parameters.parseMode?.rawValue, to: &writer)
        if let markup = parameters.replyMarkup {
            writer.raw(",\"reply_markup\":")
            guard Self.write(markup, to: &writer) else { return false }
        }
        writer.byte(UInt8(ascii: "}"))
        return true
    }

    private static func write(_ parameters: EditMessageReplyMarkup, to writer: inout JSONWriter) -> Bool {
        Self.write(parameters.target, to: &writer)
        if let markup = parameters.replyMarkup {
            writer.raw(",\"reply_markup\":")
            guard Self.write(markup, to: &writer) else { return false }
        }
        writer.byte(UInt8(ascii: "}"))
        return true
    }

    /// Opens the object with the target's keys.
    private static func write(_ target: EditTarget, to writer: inout JSONWriter) {
        switch target {
        case .message(let chatID, let messageID):
            writer.raw("{\"chat_id\":")
            writer.int(chatID)
            writer.raw(",\"message_id\":")
            writer.int(Int64(messageID))
        case .inlineMessage(let id):
            writer.raw("{\"inline_message_id\":")
            writer.string(id)
        }
    }

    private static func write(_ parameters: AnswerCallbackQuery, to writer: inout JSONWriter) -> Bool {
        writer.raw("{\"callback_query_id\":")
        writer.string(parameters.callbackQueryID)
        Self.write(",\"text\":", parameters.text, to: &writer)
        Self.write(",\"show_alert\":", parameters.showAlert, to: &writer)
        Self.write(",\"url\":", parameters.url, to: &writer)
        Self.write(",\"cache_time\":", parameters.cacheTime, to: &writer)
        writer.byte(UInt8(ascii: "}"))
        return true
    }

    private static func write(_ parameters: DeleteMessage, to writer: inout JSONWriter) -> Bool {
        writer.raw("{\"chat_id\":")
        writer.int(parameters.chatID)
        writer.raw(",\"message_id\":")
        writer.int(Int64(parameters.messageID))
        writer.byte(UInt8(ascii: "}"))
        return true
    }

    private static func write(_ markup: ReplyMarkup, to writer: inout JSONWriter) -> Bool {
        switch markup {
        case .inlineKeyboard(let keyboard):
            return Self.write(keyboard, to: &writer)
        case .replyKeyboard(let keyboard):
            writer.raw("{\"keyboard\":")
            _ = writer.array(keyboard.keyboard) { writer, row in
                writer.array(row) { writer, button in
                    writer.raw("{\"text\":")
                    writer.string(button.text)
                    Self.write(",\"request_contact\":", button.requestContact, to: &writer)
                    Self.write(",\"request_location\":", button.requestLocation, to: &writer)
                    writer.byte(UInt8(ascii: "}"))
                    return true
                }
            }
            Self.write(",\"is_persistent\":", keyboard.isPersistent, to: &writer)
            Self.write(",\"resize_keyboard\":", keyboard.resizeKeyboard, to: &writer)
            Self.write(",\"one_time_keyboard\":", keyboard.oneTimeKeyboard, to: &writer)
            Self.write(",\"input_field_placeholder\":", keyboard.inputFieldPlaceholder, to: &writer)
            Self.write(",\"selective\":", keyboard.selective, to: &writer)
        case .removeKeyboard(let remove):
            writer.raw("{\"remove_keyboard\":true")
            Self.write(",\"selective\":", remove.selective, to: &writer)
        case .forceReply(let force):
            writer.raw("{\"force_reply\":true")
            Self.write(",\"input_field_placeholder\":", force.inputFieldPlaceholder, to: &writer)
            Self.write(",\"selective\":", force.selective, to: &writer)
        }
        writer.byte(UInt8(ascii: "}"))
        return true
    }

    /// `key` and the value after it, when there is one (`encodeIfPresent`).
    private static func write(_ key: StaticString, _ flag: Bool?, to writer: inout JSONWriter) {
        guard let flag else { return }
        writer.raw(key)
        writer.bool(flag)
    }

    private static func write(_ key: StaticString, _ text: String?, to writer: inout JSONWriter) {
        guard let text else { return }
        writer.raw(key)
        writer.string(text)
    }

    private static func write(_ key: StaticString, _ number: Int?, to writer: inout JSONWriter) {
        guard let number else { return }
        writer.raw(key)
        writer.int(Int64(number))
    }

    private static func write(_ keyboard: InlineKeyboardMarkup, to writer: inout JSONWriter) -> Bool {
        writer.raw("{\"inline_keyboard\":")
        let written = writer.array(keyboard.rows) { writer, row in
            writer.array(row) { writer, button in
                writer.raw("{\"text\":")
                writer.string(button.text)
                switch button.action {
                case .callbackData(let data):
                    writer.raw(",\"callback_data\":")
                    writer.string(data)
                case .url(let url):
                    writer.raw(",\"url\":")
                    writer.string(url)
                case .webApp(let url):
                    writer.raw(",\"web_app\":{\"url\":")
                    writer.string(url)
                    writer.byte(UInt8(ascii: "}"))
                case .switchInlineQuery(let query):
                    writer.raw(",\"switch_inline_query\":")
                    writer.string(query)
                case .switchInlineQueryCurrentChat(let query):
                    writer.raw(",\"switch_inline_query_current_chat\":")
                    writer.string(query)
                case .copyText(let text):
                    writer.raw(",\"copy_text\":{\"text\":")
                    writer.string(text)
                    writer.byte(UInt8(ascii: "}"))
                case .unsupported:
                    return false
                }
                writer.byte(UInt8(ascii: "}"))
                return true
            }
        }
        guard written else { return false }
        writer.byte(UInt8(ascii: "}"))
        return true
    }
}
