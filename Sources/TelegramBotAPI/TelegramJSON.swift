import FastJSON

/// Hand-written readers of the Bot API objects every update carries: the
/// update, its message or callback query, and the `Message` that
/// `sendMessage` answers.
///
/// Through `JSONDecoder` these were the largest single cost left per update
/// (about 310,000 of 2,260,000 instructions, callgrind). Each reader answers
/// the same value `JSONDecoder` would, or nil; nil sends the whole body to
/// `JSONDecoder`, which decides and words any error. So a reader is stricter
/// than the `Codable` conformances it stands beside, never looser: a `null`, a
/// repeated key, a fraction, a kind of update or of button it does not model,
/// or a `location` all answer nil.
enum TelegramJSON {
    /// Sets `slot` from `read` unless it was set already (a repeated key).
    private static func once<Value>(
        _ slot: inout Value?,
        _ cursor: inout JSONCursor,
        _ read: (inout JSONCursor) -> Value?
    ) -> Bool {
        guard slot == nil, let value = read(&cursor) else { return false }
        slot = value
        return true
    }

    /// The result of a successful Bot API answer, `{"ok":true,"result":…}`;
    /// nil for anything else (a failure, a description, parameters).
    static func success<Result>(_ cursor: inout JSONCursor, _ read: (inout JSONCursor) -> Result?) -> Result? {
        var ok: Bool?
        var result: Result?
        let complete = cursor.object { cursor, key in
            switch key {
            case "ok": return once(&ok, &cursor) { $0.bool() }
            case "result": return once(&result, &cursor, read)
            default: return false
            }
        }
        guard complete, ok == true else { return nil }
        return result
    }

    static func update(_ cursor: inout JSONCursor) -> Update? {
        var updateID: Int?
        var kind: Update.Kind?
        let complete = cursor.object { cursor, key in
            switch key {
            case "update_id": return once(&updateID, &cursor) { $0.int() }
            case "message" where kind == nil: return once(&kind, &cursor) { Self.message(&$0).map(Update.Kind.message) }
            case "edited_message" where kind == nil:
                return once(&kind, &cursor) { Self.message(&$0).map(Update.Kind.editedMessage) }
            case "channel_post" where kind == nil: return once(&kind, &cursor) { Self.message(&$0).map(Update.Kind.channelPost) }
            case "callback_query" where kind == nil:
                return once(&kind, &cursor) { Self.callbackQuery(&$0).map(Update.Kind.callbackQuery) }
            // Two kinds in one update, or a kind read only by `JSONDecoder`.
            case "message", "edited_message", "channel_post", "callback_query", "inline_query", "my_chat_member", "chat_member":
                return false
            default: return cursor.skipValue()
            }
        }
        guard complete, let updateID, let kind else { return nil }
        return Update(updateID: updateID, kind: kind)
    }

    /// A message; `nested` for a `reply_to_message`, which Telegram never
    /// nests further (a deeper one is left to `JSONDecoder`).
    static func message(_ cursor: inout JSONCursor) -> Message? {
        self.message(&cursor, nested: false)
    }

    private static func message(_ cursor: inout JSONCursor, nested: Bool) -> Message? {
        var messageID: Int?
        var threadID: Int?
        var from: User?
        var senderChat: Chat?
        var chat: Chat?
        var date: Int?
        var editDate: Int?
        var reply: Message?
        var text: String?
        var entities: [MessageEntity]?
        var caption: String?
        var captionEntities: [MessageEntity]?
        var photo: [PhotoSize]?
        var contact: Contact?
        var replyMarkup: InlineKeyboardMarkup?
        let complete = cursor.object { cursor, key in
            switch key {
            case "message_id": return once(&messageID, &cursor) { $0.int() }
            case "message_thread_id": return once(&threadID, &cursor) { $0.int() }
            case "from": return once(&from, &cursor, Self.user)
            case "sender_chat": return once(&senderChat, &cursor, Self.chat)
            case "chat": return once(&chat, &cursor, Self.chat)
            case "date": return once(&date, &cursor) { $0.int() }
            case "edit_date": return once(&editDate, &cursor) { $0.int() }
            case "reply_to_message":
                guard !nested else { return false }
                return once(&reply, &cursor) { Self.message(&$0, nested: true) }
            case "text": return once(&text, &cursor) { $0.string() }
            case "entities": return once(&entities, &cursor) { $0.array(Self.entity) }
            case "caption": return once(&caption, &cursor) { $0.string() }
            case "caption_entities": return once(&captionEntities, &cursor) { $0.array(Self.entity) }
            case "photo": return once(&photo, &cursor) { $0.array(Self.photoSize) }
            case "contact": return once(&contact, &cursor, Self.contact)
            case "reply_markup": return once(&replyMarkup, &cursor, Self.inlineKeyboard)
            case "location": return false
            default: return cursor.skipValue()
            }
        }
        guard complete, let messageID, let chat, let date else { return nil }
        return Message(
            messageID: messageID,
            messageThreadID: threadID,
            from: from,
            senderChat: senderChat,
            chat: chat,
            date: date,
            editDate: editDate,
            replyToMessage: reply,
            text: text,
            entities: entities,
            caption: caption,
            captionEntities: captionEntities,
            photo: photo,
            contact: contact,
            replyMarkup: replyMarkup
        )
    }

    static func user(_ cursor: inout JSONCursor) -> User? {
        var id: Int64?
        var isBot: Bool?
        var firstName: String?
        var lastName: String?
        var username: String?
        var languageCode: String?
        var isPremium: Bool?
        let complete = cursor.object { cursor, key in
            switch key {
            case "id": return once(&id, &cursor) { $0.int64() }
            case "is_bot": return once(&isBot, &cursor) { $0.bool() }
            case "first_name": return once(&firstName, &cursor) { $0.string() }
            case "last_name": return once(&lastName, &cursor) { $0.string() }
            case "username": return once(&username, &cursor) { $0.string() }
            case "language_code": return once(&languageCode, &cursor) { $0.string() }
            case "is_premium": return once(&isPremium, &cursor) { $0.bool() }
            default: return cursor.skipValue()
            }
        }
        guard complete, let id, let isBot, let firstName else { return nil }
        return User(
            id: id,
            isBot: isBot,
            firstName: firstName,
            lastName: lastName,
            username: username,
            languageCode: languageCode,
            isPremium: isPremium
        )
    }

    static func chat(_ cursor: inout JSONCursor) -> Chat? {
        var id: Int64?
        var type: String?
        var title: String?
        var username: String?
        var firstName: String?
        var lastName: String?
        var isForum: Bool?
        let complete = cursor.object { cursor, key in
            switch key {
            case "id": return once(&id, &cursor) { $0.int64() }
            case "type": return once(&type, &cursor) { $0.string() }
            case "title": return once(&title, &cursor) { $0.string() }
            case "username": return once(&username, &cursor) { $0.string() }
            case "first_name": return once(&firstName, &cursor) { $0.string() }
            case "last_name": return once(&lastName, &cursor) { $0.string() }
            case "is_forum": return once(&isForum, &cursor) { $0.bool() }
            default: return cursor.skipValue()
            }
        }
        guard complete, let id, let type else { return nil }
        return Chat(
            id: id,
            type: Chat.Kind(rawValue: type),
            title: title,
            username: username,
            firstName: firstName,
            lastName: lastName,
            isForum: isForum
        )
    }

    static func entity(_ cursor: inout JSONCursor) -> MessageEntity? {
        var type: String?
        var offset: Int?
        var length: Int?
        var url: String?
        var user: User?
        var language: String?
        var customEmojiID: String?
        let complete = cursor.object { cursor, key in
            switch key {
            case "type": return once(&type, &cursor) { $0.string() }
            case "offset": return once(&offset, &cursor) { $0.int() }
            case "length": return once(&length, &cursor) { $0.int() }
            case "url": return once(&url, &cursor) { $0.string() }
            case "user": return once(&user, &cursor, Self.user)
            case "language": return once(&language, &cursor) { $0.string() }
            case "custom_emoji_id": return once(&customEmojiID, &cursor) { $0.string() }
            default: return cursor.skipValue()
            }
        }
        guard complete, let type, let offset, let length else { return nil }
        return MessageEntity(
            type: MessageEntity.Kind(rawValue: type),
            offset: offset,
            length: length,
            url: url,
            user: user,
            language: language,
            customEmojiID: customEmojiID
        )
    }

    static func photoSize(_ cursor: inout JSONCursor) -> PhotoSize? {
        var fileID: String?
        var fileUniqueID: String?
        var width: Int?
        var height: Int?
        var fileSize: Int?
        let complete = cursor.object { cursor, key in
            switch key {
            case "file_id": return once(&fileID, &cursor) { $0.string() }
            case "file_unique_id": return once(&fileUniqueID, &cursor) { $0.string() }
            case "width": return once(&width, &cursor) { $0.int() }
            case "height": return once(&height, &cursor) { $0.int() }
            case "file_size": return once(&fileSize, &cursor) { $0.int() }
            default: return cursor.skipValue()
            }
        }
        guard complete, let fileID, let fileUniqueID, let width, let height else { return nil }
        return PhotoSize(fileID: fileID, fileUniqueID: fileUniqueID, width: width, height: height, fileSize: fileSize)
    }

    static func contact(_ cursor: inout JSONCursor) -> Contact? {
        var phoneNumber: String?
        var firstName: String?
        var lastName: String?
        var userID: Int64?
        var vcard: String?
        let complete = cursor.object { cursor, key in
            switch key {
            case "phone_number": return once(&phoneNumber, &cursor) { $0.string() }
            case "first_name": return once(&firstName, &cursor) { $0.string() }
            case "last_name": return once(&lastName, &cursor) { $0.string() }
            case "user_id": return once(&userID, &cursor) { $0.int64() }
            case "vcard": return once(&vcard, &cursor) { $0.string() }
            default: return cursor.skipValue()
            }
        }
        guard complete, let phoneNumber, let firstName else { return nil }
        return Contact(phoneNumber: phoneNumber, firstName: firstName, lastName: lastName, userID: userID, vcard: vcard)
    }

    static func inlineKeyboard(_ cursor: inout JSONCursor) -> InlineKeyboardMarkup? {
        var rows: [[InlineKeyboardButton]]?
        let complete = cursor.object { cursor, key in
            switch key {
            case "inline_keyboard": return once(&rows, &cursor) { $0.array { $0.array(Self.button) } }
            default: return cursor.skipValue()
            }
        }
        guard complete, let rows else { return nil }
        return InlineKeyboardMarkup(rows: rows)
    }

    /// A button, its action chosen in the order its `Codable` conformance
    /// tries them; `web_app` and `copy_text` are left to `JSONDecoder`.
    static func button(_ cursor: inout JSONCursor) -> InlineKeyboardButton? {
        var text: String?
        var callbackData: String?
        var url: String?
        var switchInlineQuery: String?
        var switchInlineQueryCurrentChat: String?
        let complete = cursor.object { cursor, key in
            switch key {
            case "text": return once(&text, &cursor) { $0.string() }
            case "callback_data": return once(&callbackData, &cursor) { $0.string() }
            case "url": return once(&url, &cursor) { $0.string() }
            case "switch_inline_query": return once(&switchInlineQuery, &cursor) { $0.string() }
            case "switch_inline_query_current_chat": return once(&switchInlineQueryCurrentChat, &cursor) { $0.string() }
            case "web_app", "copy_text": return false
            default: return cursor.skipValue()
            }
        }
        guard complete, let text else { return nil }
        let action: InlineKeyboardButton.Action =
            if let callbackData { .callbackData(callbackData) }
            else if let url { .url(url) }
            else if let switchInlineQuery { .switchInlineQuery(switchInlineQuery) }
            else if let switchInlineQueryCurrentChat { .switchInlineQueryCurrentChat(switchInlineQueryCurrentChat) }
            else { .unsupported }
        return InlineKeyboardButton(decodedText: text, action: action)
    }

    static func callbackQuery(_ cursor: inout JSONCursor) -> CallbackQuery? {
        var id: String?
        var from: User?
        var message: Message?
        var inlineMessageID: String?
        var chatInstance: String?
        var data: String?
        var gameShortName: String?
        let complete = cursor.object { cursor, key in
            switch key {
            case "id": return once(&id, &cursor) { $0.string() }
            case "from": return once(&from, &cursor, Self.user)
            case "message": return once(&message, &cursor, Self.message)
            case "inline_message_id": return once(&inlineMessageID, &cursor) { $0.string() }
            case "chat_instance": return once(&chatInstance, &cursor) { $0.string() }
            case "data": return once(&data, &cursor) { $0.string() }
            case "game_short_name": return once(&gameShortName, &cursor) { $0.string() }
            default: return cursor.skipValue()
            }
        }
        guard complete, let id, let from, let chatInstance else { return nil }
        // Telegram's discriminator, as in `MaybeInaccessibleMessage`: date 0.
        let maybe = message.map { message in
            message.date == 0
                ? MaybeInaccessibleMessage.inaccessible(InaccessibleMessage(chat: message.chat, messageID: message.messageID))
                : .accessible(message)
        }
        return CallbackQuery(
            id: id,
            from: from,
            message: maybe,
            inlineMessageID: inlineMessageID,
            chatInstance: chatInstance,
            data: data,
            gameShortName: gameShortName
        )
    }
}
