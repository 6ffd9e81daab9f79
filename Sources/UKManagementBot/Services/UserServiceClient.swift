public import ServiceClients

/// The user service: profiles, stored languages, and the admin's user list.
public struct UserServiceClient: Sendable {
    /// The client of the user service.
    public let client: ServiceClient
    private let tokens: any AccessTokenProvider

    /// Creates the client; `tokens` authorizes each call as its caller.
    public init(client: ServiceClient, tokens: any AccessTokenProvider) {
        self.client = client
        self.tokens = tokens
    }

    /// The user with this Telegram id (`GET /api/v1/users/by-telegram/{telegram_id}`).
    ///
    /// - Throws: ``DownstreamError``, ``DownstreamError/Code/notFound`` for an unknown user.
    public func user(telegramID: Int64, caller: DownstreamCaller) async throws(DownstreamError) -> UserRecord {
        try await client.send(ServiceRequest(.get, "/api/v1/users/by-telegram/\(telegramID)"), caller: caller, tokens: tokens)
    }

    /// Stores the language a user chose (`PATCH /api/v1/users/{id}/language`).
    ///
    /// - Parameter idempotencyKey: stable across retries of the same choice.
    /// - Throws: ``DownstreamError``.
    public func setLanguage(
        _ language: String,
        userID: String,
        idempotencyKey: String,
        caller: DownstreamCaller
    ) async throws(DownstreamError) {
        try await client.sendIgnoringBody(
            ServiceRequest(
                .patch, "/api/v1/users/\(ServiceRequest.escaped(userID))/language", body: LanguageChange(language: language),
                idempotencyKey: idempotencyKey),
            caller: caller, tokens: tokens)
    }

    /// One page of the users matching `filter` (`GET /api/v1/users`).
    ///
    /// - Parameters:
    ///   - page: from 1.
    ///   - perPage: users per page.
    /// - Throws: ``DownstreamError``.
    public func users(
        matching filter: UserFilter = UserFilter(),
        page: Int = 1,
        perPage: Int = 20,
        caller: DownstreamCaller
    ) async throws(DownstreamError) -> UserPage {
        let query = filter.query + [("page", "\(page)"), ("per_page", "\(perPage)")]
        return try await client.send(ServiceRequest(.get, "/api/v1/users", query: query), caller: caller, tokens: tokens)
    }
}

private struct LanguageChange: Encodable, Sendable {
    var language: String
}
