public import TelegramBotAPI

/// Where the webhook hands each valid update before answering Telegram.
///
/// An implementation returns only once the update is in its care; the webhook
/// then answers 200 and Telegram forgets the update. Throwing makes the webhook
/// answer 503, so Telegram delivers the update again later. The durable inbox
/// stores `raw` as received; `update` is the same body, already decoded.
public protocol UpdateSink: Sendable {
    /// Takes `update` of `bot` into the sink's care.
    /// - Throws: ``UpdateSinkError`` (or any error) when it cannot; the
    ///   webhook then answers 503.
    func accept(_ update: Update, raw: [UInt8], bot: BotID) async throws
}

/// Why a sink refused an update.
public struct UpdateSinkError: Error, CustomStringConvertible, Sendable {
    /// The kind of refusal.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case full
            case closed
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The sink holds as many updates as it may; retry later.
        public static let full = Code(.full)
        /// The sink is shutting down and takes nothing more.
        public static let closed = Code(.closed)

        public var description: String { self.base.rawValue }
    }

    /// The kind of refusal.
    public let code: Code
    /// What happened, for logs and the 503 body.
    public let message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "UpdateSinkError.\(self.code): \(self.message)" }
}
