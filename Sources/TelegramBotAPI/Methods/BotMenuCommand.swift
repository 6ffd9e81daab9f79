/// A command in the bot's menu (Bot API `BotCommand`), as `setMyCommands`
/// publishes it; named apart from ``BotCommand``, a command parsed from a message.
public struct BotMenuCommand: Codable, Sendable, Hashable {
    /// 1 to 32 of `a-z 0-9 _`, without the slash.
    public var command: String
    /// 1 to 256 characters, shown next to the command.
    public var description: String

    /// Creates a menu command.
    public init(command: String, description: String) {
        self.command = command
        self.description = description
    }
}
