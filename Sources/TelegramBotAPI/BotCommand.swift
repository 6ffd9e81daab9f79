/// A command at the start of a message, such as `/start payload` or
/// `/request_status@uk_bot R-000981`, read from its `bot_command` entity.
public struct BotCommand: Sendable, Hashable {
    /// The command without its slash or bot name, e.g. `start`.
    public var name: String
    /// The bot the command is addressed to (`/cmd@botname`), if named.
    /// In groups a bot should answer only commands addressed to itself.
    public var botUsername: String?
    /// Everything after the command, trimmed of surrounding whitespace; empty if none.
    public var arguments: String

    /// Creates a command.
    public init(name: String, botUsername: String? = nil, arguments: String = "") {
        self.name = name
        self.botUsername = botUsername
        self.arguments = arguments
    }

    /// True when the command names no bot or names `username` (case-insensitively,
    /// as Telegram usernames are).
    public func isAddressed(to username: String) -> Bool {
        guard let botUsername else { return true }
        return botUsername.lowercased() == username.lowercased()
    }
}
