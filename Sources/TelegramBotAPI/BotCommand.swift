import Foundation

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

extension Message {
    /// The command this message starts with, if its first entity is a `bot_command`
    /// at offset 0; Telegram marks commands elsewhere in the text too, but only a
    /// leading one is an instruction to the bot.
    public var botCommand: BotCommand? {
        guard
            let text,
            let entity = entities?.first(where: { $0.type == .botCommand && $0.offset == 0 }),
            let commandText = entity.text(in: text),
            commandText.hasPrefix("/")
        else { return nil }
        let body = commandText.dropFirst()
        let name: Substring
        let botUsername: Substring?
        if let at = body.firstIndex(of: "@") {
            name = body[..<at]
            botUsername = body[body.index(after: at)...]
        } else {
            name = body
            botUsername = nil
        }
        let rest = text[commandText.endIndex...]
        return BotCommand(
            name: String(name),
            botUsername: botUsername.map(String.init),
            arguments: rest.trimmingCharacters(in: .whitespacesAndNewlines)
        )
    }
}
