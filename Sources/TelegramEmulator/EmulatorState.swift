import Foundation
import TelegramBotAPI

/// Everything a `FakeTelegram` remembers; guarded by its mutex.
struct EmulatorState {
    /// One chat the fake knows: its messages (the users' and the bot's) and the bot's actions in it.
    struct ChatRecord {
        var chat: Chat
        var members: [Int64: User] = [:]
        var nextMessageID = 1
        var messages: [Int: Message] = [:]
        var botMessageIDs: Set<Int> = []
        var events: [BotMessageEvent] = []
        /// True when the private chat's user blocked the bot.
        var isBlocked = false
        /// The supergroup a group was upgraded to; sends to the group are then refused with it.
        var migratedTo: Int64?
        /// Distinguishes the chat in callback queries, as Telegram's `chat_instance` does.
        var instance: String

        mutating func takeMessageID() -> Int {
            defer { nextMessageID += 1 }
            return nextMessageID
        }
    }

    struct Webhook {
        var url: String
        var secretToken: String?
        var certificate: UploadedFile?
        var maxConnections: Int
        var allowedUpdates: [String]?
        var ipAddress: String?
    }

    var chats: [Int64: ChatRecord] = [:]
    /// While true, every call is refused with 401, as for a revoked token.
    var tokenRevoked = false
    var nextUpdateID = 1
    /// Updates produced and not yet confirmed (getUpdates) or delivered (webhook), oldest first.
    var pending: [Update] = []
    var allowedUpdates: [String]?
    var webhook: Webhook?
    var lastWebhookError: (date: Date, message: String)?
    var deliveryAttempts: [Int: Int] = [:]
    var deliveries: [WebhookDelivery] = []
    var nextDeliveryTime: ContinuousClock.Instant?
    /// Bumped by every getUpdates call, so an older poll still waiting learns it was superseded.
    var pollGeneration = 0
    var calls: [RecordedCall] = []
    var callbackQueries: [String: CallbackQuery] = [:]
    var callbackAnswers: [String: JSONValue] = [:]
    var commands: [String: JSONValue] = [:]
    /// Photo sizes by `file_id`, for resending a known photo.
    var photos: [String: [PhotoSize]] = [:]
    /// The bytes of photos whose content is known (uploaded by a user or the bot), by `file_id`.
    var fileData: [String: [UInt8]] = [:]
    var nextFileNumber = 1
    var limiter: SendLimiter
    var tooManyRequestsCount = 0
    /// Chats with new bot events since the last `mutate` finished; it wakes their waiters.
    var touchedChats: [Int64] = []

    init(limits: FakeTelegram.Limits) {
        limiter = SendLimiter(limits: limits)
    }

    mutating func takeUpdateID() -> Int {
        defer { nextUpdateID += 1 }
        return nextUpdateID
    }

    mutating func takeFileNumber() -> Int {
        defer { nextFileNumber += 1 }
        return nextFileNumber
    }

    /// Appends an event to the chat's log with the chat's next sequence number.
    mutating func record(_ kind: BotMessageEvent.Kind, method: String, message: Message, markup: ReplyMarkup?) {
        let chatID = message.chat.id
        let sequence = (chats[chatID]?.events.last?.sequence ?? 0) + 1
        chats[chatID]?.events.append(
            BotMessageEvent(sequence: sequence, kind: kind, method: method, message: message, replyMarkup: markup))
        touchedChats.append(chatID)
    }
}
