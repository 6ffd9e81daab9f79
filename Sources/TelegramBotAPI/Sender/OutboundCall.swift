import Foundation

/// A Bot API call that ``OutboundSender`` schedules within Telegram's limits:
/// the calls a conversation makes in reply to a user.
public enum OutboundCall: Sendable, Hashable {
    case sendMessage(SendMessage)
    case sendPhoto(SendPhoto)
    case editMessageText(EditMessageText)
    case editMessageReplyMarkup(EditMessageReplyMarkup)
    case deleteMessage(DeleteMessage)
    case answerCallbackQuery(AnswerCallbackQuery)
    /// Publishes a command menu, e.g. the extra commands of a user's roles in their chat.
    case setMyCommands(SetMyCommands)

    /// The Bot API method, for logs.
    public var methodName: String {
        switch self {
        case .sendMessage: SendMessage.name
        case .sendPhoto: SendPhoto.name
        case .editMessageText: EditMessageText.name
        case .editMessageReplyMarkup: EditMessageReplyMarkup.name
        case .deleteMessage: DeleteMessage.name
        case .answerCallbackQuery: AnswerCallbackQuery.name
        case .setMyCommands: SetMyCommands.name
        }
    }

    /// The limits the call is under. A callback answer and an inline message
    /// edit touch no chat's message limit; everything else queues in its chat.
    public var destination: OutboundLimiter<OutboundCall>.Destination {
        let chatID: Int64? =
            switch self {
            case .sendMessage(let parameters): parameters.chatID
            case .sendPhoto(let parameters): parameters.chatID
            case .editMessageText(let parameters): parameters.target.chatID
            case .editMessageReplyMarkup(let parameters): parameters.target.chatID
            case .deleteMessage(let parameters): parameters.chatID
            case .answerCallbackQuery, .setMyCommands: nil
            }
        guard let chatID else { return .notChatLimited }
        // Telegram gives users positive ids and groups, supergroups and
        // channels negative ones, so the sign tells which limit applies.
        return .chat(id: chatID, kind: chatID > 0 ? .privateChat : .groupChat)
    }

    /// The JSON body the Bot API gets for this call, as the client would
    /// encode it: made once by a caller that also stores it (the outbox),
    /// and handed to ``OutboundSender`` so the send does not encode it again.
    /// - Throws: `EncodingError`, or ``BotAPIError`` (`invalidRequest`) for
    ///   an upload, which goes as a form instead.
    public func jsonBody() throws -> [UInt8] {
        if let body = TelegramJSON.body(of: self) { return body }
        let encoder = JSONEncoder()
        switch self {
        case .sendMessage(let parameters): return Array(try encoder.encode(parameters))
        case .sendPhoto(let parameters):
            guard parameters.uploads.isEmpty else {
                throw BotAPIError(.invalidRequest, method: SendPhoto.name, description: "A photo upload is sent as a form, not as JSON.")
            }
            return Array(try encoder.encode(parameters))
        case .editMessageText(let parameters): return Array(try encoder.encode(parameters))
        case .editMessageReplyMarkup(let parameters): return Array(try encoder.encode(parameters))
        case .deleteMessage(let parameters): return Array(try encoder.encode(parameters))
        case .answerCallbackQuery(let parameters): return Array(try encoder.encode(parameters))
        case .setMyCommands(let parameters): return Array(try encoder.encode(parameters))
        }
    }

    /// Makes the call, with `body` from ``jsonBody()`` if the caller has it;
    /// returns the message it sent or edited, if it returns one and `readingResult`.
    func perform(with client: BotAPIClient, readingResult: Bool, body: [UInt8]?) async throws(BotAPIError) -> Message? {
        // A reply read back from the outbox has no body at hand: the
        // hand-written one, where there is one, spares the client's `JSONEncoder`.
        let body = body ?? TelegramJSON.body(of: self)
        switch self {
        case .sendMessage(let parameters): return try await client.call(parameters, body: body, readingResult: readingResult)
        case .sendPhoto(let parameters): return try await client.call(parameters, body: body, readingResult: readingResult)
        case .editMessageText(let parameters): return try await client.call(parameters, body: body, readingResult: readingResult)?.message
        case .editMessageReplyMarkup(let parameters): return try await client.call(parameters, body: body, readingResult: readingResult)?.message
        case .deleteMessage(let parameters): _ = try await client.call(parameters, body: body, readingResult: readingResult)
        case .answerCallbackQuery(let parameters): _ = try await client.call(parameters, body: body, readingResult: readingResult)
        case .setMyCommands(let parameters): _ = try await client.call(parameters, body: body, readingResult: readingResult)
        }
        return nil
    }
}

extension EditedMessage {
    /// The edited message; nil for an inline message.
    public var message: Message? {
        if case .message(let message) = self { return message }
        return nil
    }
}

extension OutboundCall {
    /// The call addressed to `chat` instead, for a group Telegram upgraded to
    /// a supergroup (`migrate_to_chat_id`): a new message moves, without its
    /// reply to a message of the old chat (and without a thread of it); an
    /// edit, a deletion or an answer cannot, so it is nil.
    public func moved(to chat: Int64) -> OutboundCall? {
        switch self {
        case .sendMessage(var parameters):
            parameters.chatID = chat
            parameters.replyParameters = nil
            parameters.messageThreadID = nil
            return .sendMessage(parameters)
        case .sendPhoto(var parameters):
            parameters.chatID = chat
            parameters.replyParameters = nil
            parameters.messageThreadID = nil
            return .sendPhoto(parameters)
        case .editMessageText, .editMessageReplyMarkup, .deleteMessage, .answerCallbackQuery, .setMyCommands:
            return nil
        }
    }
}
