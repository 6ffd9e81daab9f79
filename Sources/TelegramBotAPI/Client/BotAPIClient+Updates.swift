extension BotAPIClient {
    /// Sets the webhook Telegram delivers updates to.
    public func setWebhook(_ parameters: SetWebhook) async throws(BotAPIError) {
        _ = try await call(parameters)
    }

    /// Removes the webhook; updates then wait for ``getUpdates(_:)``.
    public func deleteWebhook(_ parameters: DeleteWebhook = DeleteWebhook()) async throws(BotAPIError) {
        _ = try await call(parameters)
    }

    /// The current webhook and its delivery errors.
    public func getWebhookInfo() async throws(BotAPIError) -> WebhookInfo {
        try await call(GetWebhookInfo())
    }

    /// Long-polls for updates. The HTTP request may take the poll timeout plus
    /// the configured request timeout.
    public func getUpdates(_ parameters: GetUpdates) async throws(BotAPIError) -> [Update] {
        try await call(parameters)
    }
}
