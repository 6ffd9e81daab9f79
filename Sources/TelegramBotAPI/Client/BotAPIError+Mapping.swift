import CurlHTTP

extension BotAPIError {
    /// Maps a failure to get any answer; the client's messages name no URL,
    /// but they are redacted all the same.
    init(transport error: HTTPClientError, method: String, configuration: BotAPIClient.Configuration) {
        let code: Code
        switch error.code {
        case .timedOut, .connectTimedOut: code = .timedOut
        case .cancelled, .shutdown: code = .cancelled
        case .responseTooLarge: code = .invalidResponse
        case .invalidURL: code = .invalidRequest
        default: code = .network
        }
        self.init(code, method: method, description: configuration.redacting(error.message))
    }

    /// Maps Telegram's `ok: false` envelope.
    init<Result>(response: BotAPIResponse<Result>, httpStatus: Int, method: String, configuration: BotAPIClient.Configuration) {
        let errorCode = response.errorCode ?? httpStatus
        let description = response.description.map(configuration.redacting) ?? "Telegram refused the call without a description (HTTP \(httpStatus))."
        self.init(
            Code(errorCode: errorCode),
            method: method,
            errorCode: errorCode,
            description: description,
            retryAfter: response.parameters?.retryAfter.map { .seconds($0) },
            migrateToChatID: response.parameters?.migrateToChatID
        )
    }

    /// Maps a body that is not a Bot API response, such as a proxy's HTML
    /// error page: a 5xx or 429 status keeps its meaning, anything else is
    /// an answer this client cannot use.
    init(unreadableBodyWithStatus status: Int, method: String, reason: String) {
        let code: Code
        switch status {
        case 429, 500...599: code = Code(errorCode: status)
        default: code = .invalidResponse
        }
        self.init(
            code,
            method: method,
            errorCode: status,
            description: "The server answered HTTP \(status) with a body that is not a Bot API response (\(reason)); check the base URL."
        )
    }
}
