extension BotAPIClient {
    /// The bot's own user; fails with ``BotAPIError/Code/unauthorized`` for a bad token.
    public func getMe() async throws(BotAPIError) -> User {
        try await call(GetMe())
    }

    /// Publishes the command menu for a scope and language.
    public func setMyCommands(_ parameters: SetMyCommands) async throws(BotAPIError) {
        _ = try await call(parameters)
    }

    /// Removes the command menu of a scope and language.
    public func deleteMyCommands(_ parameters: DeleteMyCommands = DeleteMyCommands()) async throws(BotAPIError) {
        _ = try await call(parameters)
    }

    /// A user's membership and status in a chat.
    public func getChatMember(_ parameters: GetChatMember) async throws(BotAPIError) -> ChatMember {
        try await call(parameters)
    }
}
