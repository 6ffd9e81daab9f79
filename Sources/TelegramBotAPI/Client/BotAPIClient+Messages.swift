extension BotAPIClient {
    /// Sends a text message and returns it as sent.
    public func sendMessage(_ parameters: SendMessage) async throws(BotAPIError) -> Message {
        try await call(parameters)
    }

    /// Sends a photo (by `file_id`, URL or upload) and returns the message.
    public func sendPhoto(_ parameters: SendPhoto) async throws(BotAPIError) -> Message {
        try await call(parameters)
    }

    /// Replaces a message's text; returns the edited message, or
    /// ``EditedMessage/inlineMessage`` for an inline one.
    @discardableResult
    public func editMessageText(_ parameters: EditMessageText) async throws(BotAPIError) -> EditedMessage {
        try await call(parameters)
    }

    /// Replaces or removes a message's inline keyboard.
    @discardableResult
    public func editMessageReplyMarkup(_ parameters: EditMessageReplyMarkup) async throws(BotAPIError) -> EditedMessage {
        try await call(parameters)
    }

    /// Deletes a message.
    public func deleteMessage(_ parameters: DeleteMessage) async throws(BotAPIError) {
        _ = try await call(parameters)
    }

    /// Answers a button press, so that the client stops showing progress.
    public func answerCallbackQuery(_ parameters: AnswerCallbackQuery) async throws(BotAPIError) {
        _ = try await call(parameters)
    }
}
