import Foundation

extension Message {
    /// The command this message starts with: the `bot_command` entity at offset
    /// 0, if any. Telegram marks commands elsewhere in the text too, but only a
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
