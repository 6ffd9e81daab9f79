import Foundation
import TelegramBotAPI

extension FakeTelegram {
    /// Telegram's longest message text, in UTF-16 code units.
    static let maximumTextLength = 4096

    func sendMessage(_ parameters: RequestParameters) throws -> Reply {
        let chatID = try parameters.chatID()
        let text = parameters["text"]?.stringValue ?? ""
        guard !text.isEmpty else { throw BotAPIFailure.emptyText }
        guard text.utf16.count <= Self.maximumTextLength else { throw BotAPIFailure.textTooLong }
        let markup = try parameters.replyMarkup()
        let entities = try parameters.entities("entities")
        let message = try post(method: "sendMessage", chatID: chatID, markup: markup, replyTo: parameters.replyToMessageID) { id, chat, date in
            Message(messageID: id, from: bot, chat: chat, date: date, text: text, entities: entities, replyMarkup: markup?.inlineKeyboard)
        }
        return try Reply(encoding: message)
    }

    func editMessageText(_ parameters: RequestParameters) throws -> Reply {
        let text = parameters["text"]?.stringValue ?? ""
        let markup = try parameters.replyMarkup()
        let entities = try parameters.entities("entities")
        let (chatID, messageID) = try editedMessageAddress(parameters)
        guard !text.isEmpty else { throw BotAPIFailure.emptyText }
        guard text.utf16.count <= Self.maximumTextLength else { throw BotAPIFailure.textTooLong }
        let message = try edit(method: "editMessageText", chatID: chatID, messageID: messageID, markup: markup) { message in
            message.text = text
            message.entities = entities
            // Telegram drops an inline keyboard that an edit does not repeat.
            message.replyMarkup = markup?.inlineKeyboard
        }
        return try Reply(encoding: message)
    }

    func editMessageReplyMarkup(_ parameters: RequestParameters) throws -> Reply {
        let markup = try parameters.replyMarkup()
        let (chatID, messageID) = try editedMessageAddress(parameters)
        let message = try edit(method: "editMessageReplyMarkup", chatID: chatID, messageID: messageID, markup: markup) { message in
            message.replyMarkup = markup?.inlineKeyboard
        }
        return try Reply(encoding: message)
    }

    func deleteMessage(_ parameters: RequestParameters) throws -> Reply {
        let chatID = try parameters.chatID()
        let messageID = try parameters.requiredInt("message_id")
        try mutate { state in
            guard state.chats[chatID] != nil else { throw BotAPIFailure.chatNotFound }
            guard let message = state.chats[chatID]?.messages.removeValue(forKey: messageID) else {
                throw BotAPIFailure.messageToDeleteNotFound
            }
            state.chats[chatID]?.botMessageIDs.remove(messageID)
            state.record(.deleted, method: "deleteMessage", message: message, markup: nil)
        }
        return .true
    }

    func answerCallbackQuery(_ parameters: RequestParameters) throws -> Reply {
        guard let id = parameters["callback_query_id"]?.stringValue, !id.isEmpty else {
            throw BotAPIFailure.missing("callback_query_id")
        }
        try mutate { state in
            guard state.callbackQueries[id] != nil, state.callbackAnswers[id] == nil else {
                throw BotAPIFailure.queryInvalid
            }
            state.callbackAnswers[id] = parameters.recorded
        }
        return .true
    }

    /// Stores a new bot message in a chat the fake knows, within the sending limits.
    func post(
        method: String,
        chatID: Int64,
        markup: ReplyMarkup?,
        replyTo replyID: Int?,
        build: (Int, Chat, Int) -> Message
    ) throws -> Message {
        try mutate { state in
            try admit(chatID, in: &state)
            let record = state.chats[chatID]!
            var message = build(record.nextMessageID, record.chat, Self.unixTime())
            if let replyID, var original = record.messages[replyID] {
                original.replyToMessage = nil
                message.replyToMessage = original
            }
            state.chats[chatID]?.nextMessageID += 1
            state.chats[chatID]?.messages[message.messageID] = message
            state.chats[chatID]?.botMessageIDs.insert(message.messageID)
            state.record(.sent, method: method, message: message, markup: markup)
            return message
        }
    }

    private func edit(
        method: String,
        chatID: Int64,
        messageID: Int,
        markup: ReplyMarkup?,
        change: (inout Message) -> Void
    ) throws -> Message {
        try mutate { state in
            guard let record = state.chats[chatID] else { throw BotAPIFailure.chatNotFound }
            guard let old = record.messages[messageID] else { throw BotAPIFailure.messageToEditNotFound }
            guard record.botMessageIDs.contains(messageID) else { throw BotAPIFailure.badRequest("message can't be edited") }
            var message = old
            change(&message)
            guard message != old else { throw BotAPIFailure.messageNotModified }
            try admit(chatID, in: &state)
            message.editDate = Self.unixTime()
            state.chats[chatID]?.messages[messageID] = message
            state.record(.edited, method: method, message: message, markup: markup)
            return message
        }
    }

    private func editedMessageAddress(_ parameters: RequestParameters) throws -> (Int64, Int) {
        if parameters["inline_message_id"] != nil, parameters["chat_id"] == nil {
            // Inline-mode messages are not emulated; Telegram finds no such message either.
            throw BotAPIFailure.messageToEditNotFound
        }
        return (try parameters.chatID(), try parameters.requiredInt("message_id"))
    }

    /// Checks that the bot may write to the chat now: it exists, has not blocked the bot, and the
    /// sending limits allow another message.
    func admit(_ chatID: Int64, in state: inout EmulatorState) throws {
        guard let record = state.chats[chatID] else { throw BotAPIFailure.chatNotFound }
        guard !record.isBlocked else { throw BotAPIFailure.blockedByUser }
        if let supergroup = record.migratedTo { throw BotAPIFailure.upgradedToSupergroup(supergroup) }
        if let retryAfter = state.limiter.admit(record.chat, now: .now) {
            throw BotAPIFailure.tooManyRequests(retryAfter: retryAfter)
        }
    }

    static func unixTime() -> Int {
        Int(Date().timeIntervalSince1970)
    }
}

extension ReplyMarkup {
    /// The inline keyboard, which is the only markup a `Message` carries back; an empty one
    /// removes the keyboard.
    var inlineKeyboard: InlineKeyboardMarkup? {
        if case .inlineKeyboard(let keyboard) = self, !keyboard.rows.isEmpty { return keyboard }
        return nil
    }
}
