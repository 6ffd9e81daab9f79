extension Update {
    /// The message of a `message`, `edited_message` or `channel_post` update,
    /// or the (accessible) message whose button was pressed.
    public var message: Message? {
        switch kind {
        case .message(let message), .editedMessage(let message), .channelPost(let message):
            message
        case .callbackQuery(let query):
            query.message?.accessibleMessage
        case .inlineQuery, .myChatMember, .chatMember, .unsupported:
            nil
        }
    }

    /// The button press of a `callback_query` update.
    public var callbackQuery: CallbackQuery? {
        if case .callbackQuery(let query) = kind {
            return query
        }
        return nil
    }

    /// The chat the update happened in; nil for inline queries, buttons of
    /// inline-mode messages and unsupported kinds.
    public var chat: Chat? {
        switch kind {
        case .message(let message), .editedMessage(let message), .channelPost(let message):
            message.chat
        case .callbackQuery(let query):
            query.message?.chat
        case .myChatMember(let member), .chatMember(let member):
            member.chat
        case .inlineQuery, .unsupported:
            nil
        }
    }

    /// The user who caused the update; nil for channel posts and unsupported kinds.
    public var from: User? {
        switch kind {
        case .message(let message), .editedMessage(let message), .channelPost(let message):
            message.from
        case .callbackQuery(let query):
            query.from
        case .inlineQuery(let query):
            query.from
        case .myChatMember(let member), .chatMember(let member):
            member.from
        case .unsupported:
            nil
        }
    }

    /// The conversation this update belongs to, for per-conversation ordering
    /// and state; nil when the update names neither a chat nor a user.
    ///
    /// - A private chat is one conversation.
    /// - In a group or supergroup each member has their own conversation.
    /// - A channel, or a chat of a kind unknown to this library, is one conversation.
    /// - An inline query, or a button of an inline-mode message, has no chat: it
    ///   belongs to the user's private chat with the bot, whose id Telegram
    ///   makes equal to the user's id.
    public var conversationKey: ConversationKey? {
        if let chat {
            if chat.type.isGroup, let user = from {
                return ConversationKey(chatID: chat.id, userID: user.id)
            }
            return ConversationKey(chatID: chat.id)
        }
        if let user = from {
            return ConversationKey(chatID: user.id)
        }
        return nil
    }
}
