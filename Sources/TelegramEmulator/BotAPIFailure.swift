/// A failed Bot API call as Telegram reports it: an HTTP status, the `description` text and, for
/// 429, `retry_after`. The wording follows Telegram's so that clients are tested against real text.
struct BotAPIFailure: Error, Sendable {
    var errorCode: Int
    var description: String
    var retryAfter: Int?
    var migrateToChatID: Int64?

    static let unauthorized = BotAPIFailure(errorCode: 401, description: "Unauthorized")
    static let notFound = BotAPIFailure(errorCode: 404, description: "Not Found")
    static let chatNotFound = badRequest("chat not found")
    static let emptyText = badRequest("message text is empty")
    static let textTooLong = badRequest("message is too long")
    static let messageToEditNotFound = badRequest("message to edit not found")
    static let messageToDeleteNotFound = badRequest("message to delete not found")
    static let messageNotModified = badRequest(
        "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
    )
    static let queryInvalid = badRequest("query is too old and response timeout expired or query ID is invalid")
    static let buttonDataInvalid = badRequest("BUTTON_DATA_INVALID")
    static let wrongFileIdentifier = badRequest("wrong file identifier/HTTP URL specified")
    static let userNotFound = badRequest("user not found")
    static let blockedByUser = BotAPIFailure(errorCode: 403, description: "Forbidden: bot was blocked by the user")
    static let webhookActive = BotAPIFailure(
        errorCode: 409,
        description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
    )
    static let otherGetUpdates = BotAPIFailure(
        errorCode: 409,
        description: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
    )

    static func badRequest(_ reason: String) -> BotAPIFailure {
        BotAPIFailure(errorCode: 400, description: "Bad Request: \(reason)")
    }

    static func missing(_ parameter: String) -> BotAPIFailure {
        badRequest("\(parameter) is empty")
    }

    static func upgradedToSupergroup(_ supergroup: Int64) -> BotAPIFailure {
        BotAPIFailure(errorCode: 400, description: "Bad Request: group chat was upgraded to a supergroup chat", migrateToChatID: supergroup)
    }

    static func tooManyRequests(retryAfter: Int) -> BotAPIFailure {
        BotAPIFailure(errorCode: 429, description: "Too Many Requests: retry after \(retryAfter)", retryAfter: retryAfter)
    }
}
