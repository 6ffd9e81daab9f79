public import Gateway
import Localization
public import Persistence
import TelegramBotAPI

/// The UK bot's commands: the routes it serves when no database provides
/// `bot_commands` (the sandbox), kept equal to the rows
/// `Migrations/0001_initial.sql` seeds (a test compares them), and the menus
/// published with `setMyCommands`.
public enum UKCommands {
    /// The `bot` column of the UK bot's rows in `bot_commands`.
    public static let catalogName = "uk"

    /// The commands this version of the bot answers; seeded rows for later
    /// commands (`/settings`, `/broadcast`, `/status`) stay out of menus and help.
    static let implemented: Set<String> = [
        "start", "help", "menu", "language", "cancel", "create_request", "my_requests", "request_status",
        "my_shifts", "shift_schedule", "take_shift", "analytics", "users",
    ]

    /// The routes as seeded, for a gateway without PostgreSQL.
    public static let defaultRoutes: [CommandRoute] = [
        ("start", "flow:start", [String]()), ("help", "flow:help", []), ("menu", "flow:menu", []),
        ("language", "flow:language", []), ("cancel", "flow:cancel", []), ("create_request", "flow:create_request", []),
        ("my_requests", "service:requests.mine", []), ("request_status", "flow:request_status", []),
        ("my_shifts", "service:shifts.mine", ["executor"]), ("shift_schedule", "service:shifts.schedule", ["executor"]),
        ("take_shift", "flow:take_shift", ["executor"]), ("analytics", "flow:analytics", ["manager", "admin"]),
        ("users", "flow:users", ["admin"]), ("settings", "flow:settings", ["admin"]),
        ("broadcast", "flow:broadcast", ["admin"]), ("status", "flow:status", ["admin"]),
    ].enumerated().compactMap { index, row in
        CommandRoute.Target(row.1).map { target in
            CommandRoute(bot: catalogName, command: row.0, target: target, requiredRoles: row.2, sortOrder: (index + 1) * 10)
        }
    }

    /// The menu of a user whose roles open commands beyond everyone's, for
    /// their private chat in their language; nil when the shared menu fits them.
    static func roleMenu(directory: any CommandDirectory, roles: Set<String>, chatID: Int64, texts: Localizer) -> SetMyCommands? {
        let allowed = directory.commands.filter { $0.isAllowed(for: roles) && Self.implemented.contains($0.command) }
        guard allowed.contains(where: { !$0.requiredRoles.isEmpty }) else { return nil }
        let commands = allowed.map { BotMenuCommand(command: $0.command, description: texts.text("help.command.\($0.command)")) }
        return SetMyCommands(commands: commands, scope: .chat(chatID: chatID))
    }

    /// The `setMyCommands` calls that publish the menu everyone sees, once
    /// per supported language and once as the default (in the default locale).
    public static func menus(directory: any CommandDirectory, catalogs: Catalogs) -> [SetMyCommands] {
        let everyone = directory.commands.filter { $0.requiredRoles.isEmpty && Self.implemented.contains($0.command) }
        func menu(_ locale: LocaleCode) -> [BotMenuCommand] {
            everyone.map { BotMenuCommand(command: $0.command, description: catalogs.text("help.command.\($0.command)", locale: locale)) }
        }
        return [SetMyCommands(commands: menu(catalogs.defaultLocale))]
            + catalogs.locales.map { SetMyCommands(commands: menu($0), languageCode: $0.language) }
    }
}
