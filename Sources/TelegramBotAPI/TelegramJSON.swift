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
    /// The result of a successful Bot API answer, `{"ok":true,"result":…}`;
    /// nil for anything else (a failure, a description, parameters).
    static func success<Result>(_ cursor: inout JSONCursor, _ read: (inout JSONCursor) -> Result?) -> Result? {
        var ok: Bool?
        var result: Result?
        let complete = cursor.object { cursor, key in
            switch key {
            case "ok": return cursor.once(&ok) { $0.bool() }
            case "result": return cursor.once(&result, read)
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
            case "update_id": return cursor.once(&updateID) { $0.int() }
            case "message" where kind == nil: return cursor.once(&kind) { Self.message(&$0).map(Update.Kind.message) }
            case "edited_message" where kind == nil:
                return cursor.once(&kind) { Self.message(&$0).map(Update.Kind.editedMessage) }
            case "channel_post" where kind == nil: return cursor.once(&kind) { Self.message(&$0).map(Update.Kind.channelPost) }
            case "callback_query" where kind == nil:
                return cursor.once(&kind) { Self.callbackQuery(&$0).map(Update.Kind.callbackQuery) }
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
            case "message_id": return cursor.once(&messageID) { $0.int() }
            case "message_thread_id": return cursor.once(&threadID) { $0.int() }
            case "from": return cursor.once(&from, Self.user)
            case "sender_chat": return cursor.once(&senderChat, Self.chat)
            case "chat": return cursor.once(&chat, Self.chat)
            case "date": return cursor.once(&date) { $0.int() }
            case "edit_date": return cursor.once(&editDate) { $0.int() }
            case "reply_to_message":
                guard !nested else { return false }
                return cursor.once(&reply) { Self.message(&$0, nested: true) }
            case "text": return cursor.once(&text) { $0.string() }
            case "entities": return cursor.once(&entities) { $0.array(Self.entity) }
            case "caption": return cursor.once(&caption) { $0.string() }
            case "caption_entities": return cursor.once(&captionEntities) { $0.array(Self.entity) }
            case "photo": return cursor.once(&photo) { $0.array(Self.photoSize) }
            case "contact": return cursor.once(&contact, Self.contact)
            case "reply_markup": return cursor.once(&replyMarkup, Self.inlineKeyboard)
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
            case "id": return cursor.once(&id) { $0.int64() }
            case "is_bot": return cursor.once(&isBot) { $0.bool() }
            case "first_name": return cursor.once(&firstName) { $0.string() }
            case "last_name": return cursor.once(&lastName) { $0.string() }
            case "username": return cursor.once(&username) { $0.string() }
            case "language_code": return cursor.once(&languageCode) { $0.string() }
            case "is_premium": return cursor.once(&isPremium) { $0.bool() }
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
            case "id": return cursor.once(&id) { $0.int64() }
            case "type": return cursor.once(&type) { $0.string() }
            case "title": return cursor.once(&title) { $0.string() }
            case "username": return cursor.once(&username) { $0.string() }
            case "first_name": return cursor.once(&firstName) { $0.string() }
            case "last_name": return cursor.once(&lastName) { $0.string() }
            case "is_forum": return cursor.once(&isForum) { $0.bool() }
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
            case "type": return cursor.once(&type) { $0.string() }
            case "offset": return cursor.once(&offset) { $0.int() }
            case "length": return cursor.once(&length) { $0.int() }
            case "url": return cursor.once(&url) { $0.string() }
            case "user": return cursor.once(&user, Self.user)
            case "language": return cursor.once(&language) { $0.string() }
            case "custom_emoji_id": return cursor.once(&customEmojiID) { $0.string() }
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
            case "file_id": return cursor.once(&fileID) { $0.string() }
            case "file_unique_id": return cursor.once(&fileUniqueID) { $0.string() }
            case "width": return cursor.once(&width) { $0.int() }
            case "height": return cursor.once(&height) { $0.int() }
            case "file_size": return cursor.once(&fileSize) { $0.int() }
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
            case "phone_number": return cursor.once(&phoneNumber) { $0.string() }
            case "first_name": return cursor.once(&firstName) { $0.string() }
            case "last_name": return cursor.once(&lastName) { $0.string() }
            case "user_id": return cursor.once(&userID) { $0.int64() }
            case "vcard": return cursor.once(&vcard) { $0.string() }
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
            case "inline_keyboard": return cursor.once(&rows) { $0.array { $0.array(Self.button) } }
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
            case "text": return cursor.once(&text) { $0.string() }
            case "callback_data": return cursor.once(&callbackData) { $0.string() }
            case "url": return cursor.once(&url) { $0.string() }
            case "switch_inline_query": return cursor.once(&switchInlineQuery) { $0.string() }
            case "switch_inline_query_current_chat": return cursor.once(&switchInlineQueryCurrentChat) { $0.string() }
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
            case "id": return cursor.once(&id) { $0.string() }
            case "from": return cursor.once(&from, Self.user)
            case "message": return cursor.once(&message, Self.message)
            case "inline_message_id": return cursor.once(&inlineMessageID) { $0.string() }
            case "chat_instance": return cursor.once(&chatInstance) { $0.string() }
            case "data": return cursor.once(&data) { $0.string() }
            case "game_short_name": return cursor.once(&gameShortName) { $0.string() }
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
