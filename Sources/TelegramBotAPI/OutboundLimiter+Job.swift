extension OutboundLimiter {
    /// One queued Bot API call and what the limiter needs to schedule it.
    public struct Job: Sendable, Identifiable {
        /// Assigned by ``OutboundLimiter/enqueue(_:to:priority:now:)``; increasing
        /// in enqueue order.
        public struct ID: Sendable, Hashable, Comparable, CustomStringConvertible {
            let rawValue: UInt64

            public static func < (lhs: ID, rhs: ID) -> Bool {
                lhs.rawValue < rhs.rawValue
            }

            public var description: String { "job-\(rawValue)" }
        }

        public let id: ID
        public let destination: Destination
        public let priority: Priority
        /// The call itself, opaque to the limiter.
        public let payload: Payload
        /// How many times the job was handed out to be sent.
        public internal(set) var attempts = 0
        var transientFailures = 0
        var notBefore: Moment?

        init(id: ID, destination: Destination, priority: Priority, payload: Payload) {
            self.id = id
            self.destination = destination
            self.priority = priority
            self.payload = payload
        }
    }

    /// Where a call goes, which decides the limits it is under.
    public enum Destination: Sendable, Hashable {
        /// A message to a chat (`sendMessage`, `editMessageText`, …): under the
        /// chat's limit, in FIFO order with the chat's other messages, one in
        /// flight per chat.
        case chat(id: Int64, kind: ChatKind)
        /// A call with no chat message limit (`answerCallbackQuery`,
        /// `answerInlineQuery`, `setMyCommands`…): under the bot's limit only,
        /// never held behind a chat's queue or pause.
        case notChatLimited
    }

    /// The chat kinds that Telegram limits differently.
    public enum ChatKind: Sendable, Hashable {
        /// A private chat with one user: about 1 message per second.
        case privateChat
        /// A group, supergroup or channel: 20 messages per minute.
        case groupChat

        /// The limit class of a Bot API chat; an unknown kind is limited as a
        /// group, the stricter choice.
        public init(_ kind: Chat.Kind) {
            self = kind == .private ? .privateChat : .groupChat
        }
    }

    /// Which calls go first when several may be sent: `high` (replies to
    /// what a user just did) before `normal` (messages from the operator API)
    /// before `low` (broadcasts, schedules, digests).
    public enum Priority: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
        /// Replies to what a user just did.
        case high
        /// Messages from services: after every ready reply.
        case normal
        /// Bulk sends: only when nothing more urgent is ready.
        case low

        var rank: Int {
            switch self {
            case .high: 2
            case .normal: 1
            case .low: 0
            }
        }

        /// Orders by urgency: `.low < .normal < .high`.
        public static func < (lhs: Priority, rhs: Priority) -> Bool {
            lhs.rank < rhs.rank
        }
    }
}
