import Gateway
import Localization
import TelegramBotAPI

/// The UK bot's menus: the main menu (per role) and the admin menu. Every
/// entry is a `cmd:` button, so the auth middleware checks its roles as it
/// does for a typed command.
enum UKMenu {
    struct Entry {
        let command: String
        let label: String
        let roles: Set<String>
    }

    static let main: [[Entry]] = [
        [Entry(command: "create_request", label: "button.create_request", roles: []), Entry(command: "my_requests", label: "button.my_requests", roles: [])],
        [Entry(command: "request_status", label: "button.request_status", roles: []), Entry(command: "language", label: "button.language", roles: [])],
        [Entry(command: "my_shifts", label: "button.my_shifts", roles: ["executor"]), Entry(command: "take_shift", label: "button.take_shift", roles: ["executor"])],
        [Entry(command: "admin", label: "button.admin", roles: ["manager", "admin"])],
    ]

    static let admin: [[Entry]] = [
        [Entry(command: "analytics", label: "button.analytics", roles: ["manager", "admin"])],
        [Entry(command: "users", label: "button.users", roles: ["admin"])],
    ]

    /// The rows of `menu` that `roles` may use, as an inline keyboard.
    static func keyboard(_ menu: [[Entry]], roles: Set<String>, texts: Localizer) -> InlineKeyboardMarkup {
        let rows = menu.map { row in
            row.filter { $0.roles.isEmpty || !$0.roles.isDisjoint(with: roles) }.compactMap { entry in
                try? InlineKeyboardButton.callback(texts.text(entry.label), data: AuthMiddleware.commandButtonPrefix + entry.command)
            }
        }
        return InlineKeyboardMarkup(rows: rows.filter { !$0.isEmpty })
    }
}
