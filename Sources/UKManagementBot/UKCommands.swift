import ConversationBots
public import Gateway
public import Localization
public import Persistence
import TelegramBotAPI

/// The UK bot's commands: the routes it serves when no database provides
/// `bot_commands` (the sandbox), kept equal to the rows the migrations seed
/// (a test compares them).
public enum UKCommands {
    /// The `bot` column of the UK bot's rows in `bot_commands`.
    public static let catalogName = "uk"

    /// The routes as seeded, for a gateway without PostgreSQL (where
    /// `/broadcast`, which needs it, answers "not available").
    public static let defaultRoutes: [CommandRoute] = [
        ("start", "builtin:start", [String](), 10), ("help", "builtin:help", [], 20), ("menu", "builtin:menu", [], 30),
        ("language", "flow:language", [], 40), ("cancel", "builtin:cancel", [], 50), ("create_request", "flow:create_request", [], 60),
        ("my_requests", "service:requests.mine", [], 70), ("request_status", "flow:request_status", [], 80),
        ("my_shifts", "service:shifts.mine", ["executor"], 90), ("shift_schedule", "service:shifts.schedule", ["executor"], 100),
        ("take_shift", "flow:take_shift", ["executor"], 110), ("admin", "builtin:admin", ["manager", "admin"], 115),
        ("analytics", "flow:analytics", ["manager", "admin"], 120), ("users", "service:users.list", ["admin"], 130),
        ("settings", "builtin:settings", ["admin"], 140), ("broadcast", "builtin:broadcast", ["admin"], 150), ("status", "builtin:status", ["admin"], 160),
    ].compactMap { row in
        CommandRoute.Target(row.1).map { target in
            CommandRoute(bot: catalogName, command: row.0, target: target, requiredRoles: row.2, sortOrder: row.3)
        }
    }

    /// The router of the UK bot over `directory`.
    public static func router(directory: any CommandDirectory) -> CommandRouter {
        CommandRouter(directory: directory, flows: UKBot.flows, services: Set(UKBot.serviceCommands.keys), menus: Set(UKBot.submenus.keys))
    }

    /// The `setMyCommands` calls that publish the menu everyone sees, once
    /// per supported language and once as the default (in the default locale).
    public static func menus(directory: any CommandDirectory, catalogs: Catalogs) -> [SetMyCommands] {
        CommandMenus.published(Self.router(directory: directory), catalogs: catalogs)
    }
}
