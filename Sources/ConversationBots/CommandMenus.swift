public import Localization
public import Persistence
public import TelegramBotAPI

/// A conversation bot's command lists: the menus published with
/// `setMyCommands` and the `/help` text, from the commands its router offers.
/// A command is described by the catalog key `help.command.<command>`, or
/// its row's description in the language when the catalog has none.
public enum CommandMenus {
    /// The `setMyCommands` calls that publish the menu everyone sees, once
    /// per supported language and once as the default (in the default locale).
    public static func published(_ router: CommandRouter, catalogs: Catalogs) -> [SetMyCommands] {
        let everyone = router.offered(to: []).filter { $0.requiredRoles.isEmpty }
        func menu(_ locale: LocaleCode) -> [BotMenuCommand] {
            let texts = catalogs.localizer(for: locale)
            return everyone.map { BotMenuCommand(command: $0.command, description: Self.describe($0, texts: texts)) }
        }
        return [SetMyCommands(commands: menu(catalogs.defaultLocale))]
            + catalogs.locales.map { SetMyCommands(commands: menu($0), languageCode: $0.language) }
    }

    /// The menu of a user whose roles open commands beyond everyone's, for
    /// their private chat in their language; nil when the shared menu fits them.
    public static func roleMenu(_ router: CommandRouter, roles: Set<String>, chatID: Int64, texts: Localizer) -> SetMyCommands? {
        let allowed = router.offered(to: roles)
        guard allowed.contains(where: { !$0.requiredRoles.isEmpty }) else { return nil }
        return SetMyCommands(commands: allowed.map { BotMenuCommand(command: $0.command, description: Self.describe($0, texts: texts)) }, scope: .chat(chatID: chatID))
    }

    /// `/help`: the commands offered to the user, one a line.
    public static func help(_ routes: [CommandRoute], texts: Localizer) -> String {
        ([texts.text("help.title")] + routes.map { "/\($0.command) — \(Self.describe($0, texts: texts))" }).joined(separator: "\n")
    }

    private static func describe(_ route: CommandRoute, texts: Localizer) -> String {
        let key = "help.command.\(route.command)"
        let description = texts.text(key)
        return description == key ? (route.descriptions[texts.locale.language] ?? route.command) : description
    }
}
