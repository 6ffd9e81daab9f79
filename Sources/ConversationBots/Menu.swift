import Gateway
import Localization
import Persistence
import TelegramBotAPI

/// A menu of command buttons, such as the main menu: rows of entries, each
/// a `cmd:<command>` button that the auth middleware checks as it does a
/// typed command. Who sees an entry comes from the command's row in
/// `bot_commands` (its roles, whether it is enabled), never from the menu.
public struct Menu: Sendable {
    /// One button: the command it runs and the catalog key of its label.
    public struct Entry: Sendable {
        /// The command the button runs, without the slash.
        public let command: String
        /// The catalog key of the button's label.
        public let label: String

        /// Creates an entry.
        public init(command: String, label: String) {
            self.command = command
            self.label = label
        }
    }

    /// The entries, row by row.
    public let rows: [[Entry]]

    /// Creates a menu.
    public init(_ rows: [[Entry]]) {
        self.rows = rows
    }
}

/// A menu bound to the routes it shows and to what the bot can serve.
struct MenuKeyboard: Sendable {
    let menu: Menu
    let router: CommandRouter

    /// The entries whose commands are enabled, served, and open to `roles`, as an inline keyboard.
    func keyboard(roles: Set<String>, texts: Localizer) -> InlineKeyboardMarkup {
        let rows = self.menu.rows.map { row in
            row.filter { self.router.isOffered($0.command, to: roles) }.compactMap { entry in
                try? InlineKeyboardButton.callback(texts.text(entry.label), data: AuthMiddleware.commandButtonPrefix + entry.command)
            }
        }
        return InlineKeyboardMarkup(rows: rows.filter { !$0.isEmpty })
    }
}
