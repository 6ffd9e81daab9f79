import Foundation

/// One thing that happened, for `bot_metrics`: a command used, a response
/// sent and how long it took, an error.
public struct MetricEvent: Sendable, Hashable {
    /// What kind of event; open to more than the ones named here.
    public struct Kind: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String

        public init(rawValue: String) {
            self.rawValue = rawValue
        }

        /// A command was handled; `name` is the command.
        public static let command = Kind(rawValue: "command")
        /// A reply went out; `name` says which (a Bot API method or a flow step).
        public static let response = Kind(rawValue: "response")
        /// Something failed; `name` is the error code.
        public static let error = Kind(rawValue: "error")
        /// An update was handled; `name` is its kind (`message`, `callback_query`…), the duration its handling time.
        public static let update = Kind(rawValue: "update")
        /// A Bot API call ended; `name` is how (`ok`, `error`, `rate_limited`, `network`).
        public static let telegram = Kind(rawValue: "telegram")

        public var description: String { self.rawValue }
    }

    public var bot: String
    public var kind: Kind
    public var name: String
    /// How long it took, when that means something.
    public var durationMS: Double?
    public var occurredAt: Date

    public init(bot: String, kind: Kind, name: String, durationMS: Double? = nil, occurredAt: Date = Date()) {
        self.bot = bot
        self.kind = kind
        self.name = name
        self.durationMS = durationMS
        self.occurredAt = occurredAt
    }
}
