/// Names one of the bots a gateway serves, as written in the configuration
/// (`default` when only `TELEGRAM_BOT_TOKEN` is set).
///
/// Logs, metrics and storage keys use the name, never the token.
public struct BotID: Sendable, Hashable, CustomStringConvertible {
    /// The bot's configured name.
    public var name: String

    /// Creates an identifier.
    public init(_ name: String) {
        self.name = name
    }

    /// The name used when a single bot is configured from the environment.
    public static let single = BotID("default")

    public var description: String { self.name }
}
