public import Foundation

/// One update a bot gave up on, with why and after how many attempts — or
/// one reply the Bot API refused for good (reason `reply_refused`; then
/// `update` holds the reply as the outbox stored it and `update_id` is 0).
///
/// Stored as one JSON object:
/// `{"id", "bot", "conversation", "update_id", "update", "reason", "error", "attempts", "time"}`,
/// where `update` is the update's JSON as Telegram sent it, in a string, and
/// `time` is ISO 8601 in UTC. It never holds a secret: only the update, the
/// bot's name and an error text written for operators.
public struct DeadLetter: Sendable, Hashable {
    /// Why an update became a dead letter: a short `snake_case` word from a
    /// small closed set chosen by the bot kind, used as a metric label.
    public struct Reason: Sendable, Hashable, CustomStringConvertible {
        /// The label value, such as `exhausted`.
        public let name: String

        /// Creates a reason; keep the set of names small, it labels a metric.
        public init(_ name: String) {
            self.name = name
        }

        public var description: String { self.name }
    }

    /// Names the letter within its bot's: `u<update_id>` for an update, so
    /// giving up on one update twice keeps one letter; `r<random>` for a
    /// reply, `x<random>` for an inbox entry that was not an update.
    public var id: String
    /// The bot the update was sent to.
    public var bot: BotID
    /// The conversation's storage name (see ``RedisKeyspace/conversation(of:)``).
    public var conversation: String
    /// Telegram's `update_id`.
    public var updateID: Int
    /// The update's JSON, as Telegram sent it where the gateway has those bytes.
    public var update: String
    /// Why the bot gave up, as a metric label.
    public var reason: Reason
    /// What went wrong, for the operator: the status, the refusal, the last failure.
    public var error: String
    /// Calls made for the update before giving up; 0 when none was made.
    public var attempts: Int
    /// When the bot gave up.
    public var time: Date

    /// The id of the letter of update `updateID`.
    public static func id(ofUpdate updateID: Int) -> String {
        "u\(updateID)"
    }

    /// Whether this letter holds a refused reply rather than an update.
    public var isReply: Bool { self.reason == .replyRefused }

    /// Creates a dead letter; its ``id`` is `u<update_id>` unless given.
    public init(
        id: String? = nil,
        bot: BotID,
        conversation: String,
        updateID: Int,
        update: String,
        reason: Reason,
        error: String,
        attempts: Int,
        time: Date = Date()
    ) {
        self.id = id ?? Self.id(ofUpdate: updateID)
        self.bot = bot
        self.conversation = conversation
        self.updateID = updateID
        self.update = update
        self.reason = reason
        self.error = error
        self.attempts = attempts
        self.time = time
    }
}

extension DeadLetter: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, bot, conversation, update, reason, error, attempts, time
        case updateID = "update_id"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.bot = BotID(try container.decode(String.self, forKey: .bot))
        self.conversation = try container.decode(String.self, forKey: .conversation)
        self.updateID = try container.decode(Int.self, forKey: .updateID)
        self.id = try container.decodeIfPresent(String.self, forKey: .id) ?? Self.id(ofUpdate: self.updateID)
        self.update = try container.decode(String.self, forKey: .update)
        self.reason = Reason(try container.decode(String.self, forKey: .reason))
        self.error = try container.decode(String.self, forKey: .error)
        self.attempts = try container.decode(Int.self, forKey: .attempts)
        self.time = try container.decode(Date.self, forKey: .time)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.bot.name, forKey: .bot)
        try container.encode(self.conversation, forKey: .conversation)
        try container.encode(self.updateID, forKey: .updateID)
        try container.encode(self.update, forKey: .update)
        try container.encode(self.reason.name, forKey: .reason)
        try container.encode(self.error, forKey: .error)
        try container.encode(self.attempts, forKey: .attempts)
        try container.encode(self.time, forKey: .time)
    }

    /// The stored JSON form.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// A dead letter read back from its stored JSON form.
    public static func decode(_ bytes: [UInt8]) throws -> DeadLetter {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(DeadLetter.self, from: Data(bytes))
    }
}

extension DeadLetter.Reason {
    /// The durable dispatcher's steps failed (threw, or ran past `STEP_TIMEOUT`) `DEAD_LETTER_AFTER` times.
    public static let stepFailed = DeadLetter.Reason("step_failed")
    /// The processes handling the update kept dying (crash, kill) before finishing.
    public static let stepAbandoned = DeadLetter.Reason("step_abandoned")
    /// The Bot API refused a reply for good (403 blocked, 400 bad request).
    public static let replyRefused = DeadLetter.Reason("reply_refused")
    /// An inbox entry that is not an update this release can read.
    public static let undecodable = DeadLetter.Reason("undecodable")
}
