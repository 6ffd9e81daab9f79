import Conversations
import Gateway
import Localization
import TelegramBotAPI

/// `/settings` (`builtin:settings`): inline menus over a bot's run-time
/// settings — its commands on and off, maintenance mode and its message,
/// the per-user rate limits, the default language. Each button carries the
/// value it sets rather than a toggle, so two admins pressing at once leave
/// the later press in force, both audited; each change edits the menu in
/// place with a confirmation.
///
/// Callback data: `set:home`, `set:cmds`, `set:cmd:<command>:<0|1>`,
/// `set:maint`, `set:maint:<on|off|clear|msg>`, `set:rl`,
/// `set:rl:<mpm|mph|cpm>:<value>`, `set:rl:env`, `set:lang`, `set:lang:<code|env>`.
struct SettingsMenu: Sendable {
    /// The prefix of the menus' callback data.
    static let prefix = "set:"
    /// The command whose roles the menus require.
    static let command = "settings"
    /// The flow that takes the maintenance message as text.
    static let messageFlow = "settings_maintenance_message"
    /// The call that flow makes to save the message.
    static let saveMessage = "settings.maintenance_message"

    /// The flow asking for the maintenance message.
    static let flows = [
        Flow(Self.messageFlow) {
            Step(
                "message", prompt: "settings.maintenance.message.prompt",
                accepts: .text(1...AdminSetting.maintenanceMessageLimit, invalid: "settings.maintenance.message.invalid")
            )
            .action(Self.saveMessage, with: ["message"])
            .onFailure(.unavailable, .finish("settings.error.store"))
            .onSuccess(.finish("settings.maintenance.message.saved"))
        }
    ]

    /// The limits the menu steps through; each within ``AdminSetting/bounds``.
    private static let ladders: [String: (setting: AdminSetting, key: String, values: [Int])] = [
        "mpm": (.messagesPerMinute, "settings.limits.messages_per_minute", [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600]),
        "mph": (.messagesPerHour, "settings.limits.messages_per_hour", [10, 20, 50, 100, 200, 300, 500, 1000, 2000, 5000, 10_000]),
        "cpm": (.commandsPerMinute, "settings.limits.commands_per_minute", [1, 2, 3, 5, 10, 15, 20, 30, 60, 120, 300]),
    ]
    private static let ladderOrder = ["mpm", "mph", "cpm"]

    let settings: RuntimeSettings
    let router: CommandRouter
    let catalogs: Catalogs
    /// The environment's limits, shown beside the ones in force.
    let baseLimits: RateLimitPolicy

    /// The first screen.
    func home(_ turn: inout ConversationTurn) {
        self.show(.home, confirmation: nil, &turn)
    }

    /// A pressed menu button (`data` after ``prefix``).
    func press(_ data: Substring, _ turn: inout ConversationTurn) async {
        let parts = data.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let bot = turn.context.bot
        let admin = AdminAudit.Admin(id: turn.user.id, name: [turn.user.firstName, turn.user.lastName].compactMap { $0 }.joined(separator: " "))
        switch parts.first {
        case "home"?: self.show(.home, confirmation: nil, &turn)
        case "cmds"?: self.show(.commands, confirmation: nil, &turn)
        case "cmd"? where parts.count == 3 && (parts[2] == "0" || parts[2] == "1"):
            await self.setCommand(parts[1], enabled: parts[2] == "1", admin: admin, &turn)
        case "maint"? where parts.count == 1: self.show(.maintenance, confirmation: nil, &turn)
        case "maint"? where parts.count == 2:
            switch parts[1] {
            case "on": await self.change(.maintenance, to: "on", screen: .maintenance, admin: admin, &turn)
            case "off": await self.change(.maintenance, to: nil, screen: .maintenance, admin: admin, &turn)
            case "clear": await self.change(.maintenanceMessage, to: nil, screen: .maintenance, admin: admin, &turn)
            default: self.expired(&turn)
            }
        case "rl"? where parts.count == 1: self.show(.limits, confirmation: nil, &turn)
        case "rl"? where parts == ["rl", "env"]:
            var confirmation = turn.texts.text("settings.saved")
            for name in Self.ladderOrder {
                guard let setting = Self.ladders[name]?.setting, self.settings.settings(for: bot)[setting] != nil else { continue }
                let result = await self.apply(setting, to: nil, admin: admin, turn)
                if result != confirmation { confirmation = result }
            }
            self.show(.limits, confirmation: confirmation, &turn)
        case "rl"? where parts.count == 3:
            guard let ladder = Self.ladders[parts[1]] else { return self.expired(&turn) }
            let value = parts[2] == "env" ? nil : parts[2]
            await self.change(ladder.setting, to: value, screen: .limits, admin: admin, &turn)
        case "lang"? where parts.count == 1: self.show(.language, confirmation: nil, &turn)
        case "lang"? where parts.count == 2:
            let value = parts[1] == "env" ? nil : parts[1]
            guard value == nil || self.catalogs.locales.contains(where: { $0.identifier == value }) else { return self.expired(&turn) }
            await self.change(.defaultLanguage, to: value, screen: .language, admin: admin, &turn)
        default:
            self.expired(&turn)
        }
    }

    /// Saves the maintenance message the flow took.
    func saveMessage(_ call: ServiceCall, _ turn: ConversationTurn) async -> ServiceOutcome {
        guard case .string(let message)? = call.arguments["message"] else { return .failure(.invalid) }
        let admin = AdminAudit.Admin(id: turn.user.id, name: turn.user.firstName)
        do {
            try await self.settings.change(.maintenanceMessage, to: message, bot: turn.context.bot, by: admin)
            return .success()
        } catch {
            return .failure(.unavailable)
        }
    }

    private enum Screen {
        case home, commands, maintenance, limits, language
    }

    private func change(_ setting: AdminSetting, to value: String?, screen: Screen, admin: AdminAudit.Admin, _ turn: inout ConversationTurn) async {
        let confirmation = await self.apply(setting, to: value, admin: admin, turn)
        self.show(screen, confirmation: confirmation, &turn)
    }

    /// Changes the setting; returns what to tell the admin.
    private func apply(_ setting: AdminSetting, to value: String?, admin: AdminAudit.Admin, _ turn: ConversationTurn) async -> String {
        do {
            try await self.settings.change(setting, to: value, bot: turn.context.bot, by: admin)
            return turn.texts.text("settings.saved")
        } catch {
            turn.context.logger.warning("setting not changed", metadata: ["setting": "\(setting.rawValue)", "error": "\(error)"])
            return turn.texts.text(error.code == .storeUnavailable ? "settings.error.store" : "settings.error.invalid")
        }
    }

    private func setCommand(_ command: String, enabled: Bool, admin: AdminAudit.Admin, _ turn: inout ConversationTurn) async {
        let directory = self.router.directory
        guard let before = directory.route(for: command) else { return self.expired(&turn) }
        let confirmation: String
        do {
            if try await directory.setEnabled(enabled, command: command) {
                await self.settings.record(
                    bot: turn.context.bot, admin: admin, setting: "command.\(command)",
                    before: before.isEnabled ? "on" : "off", after: enabled ? "on" : "off")
                // The menus everyone sees follow at once; a user's own role menu follows at their next /start.
                turn.extraCalls += CommandMenus.published(self.router, catalogs: self.catalogs).map(OutboundCall.setMyCommands)
            }
            confirmation = turn.texts.text("settings.saved")
        } catch {
            turn.context.logger.warning("command not switched", metadata: ["command": "\(command)", "error": "\(error)"])
            confirmation = turn.texts.text("settings.error.store")
        }
        self.show(.commands, confirmation: confirmation, &turn)
    }

    private func expired(_ turn: inout ConversationTurn) {
        turn.context.logger.info("unknown settings button; showing the settings")
        self.show(.home, confirmation: nil, &turn)
    }

    private func show(_ screen: Screen, confirmation: String?, _ turn: inout ConversationTurn) {
        let texts = turn.texts
        let current = self.settings.settings(for: turn.context.bot)
        let limits = current.rateLimits(over: self.baseLimits)
        if let confirmation { turn.reply.say(confirmation) }
        var rows: [[(String, String)]] = []
        switch screen {
        case .home:
            turn.reply.say(texts.text("settings.title"))
            turn.reply.say(texts.text("settings.summary", [
                "maintenance": .string(texts.text(current.maintenance ? "settings.on" : "settings.off")),
                "messages_per_minute": .int(limits.messagesPerMinute),
                "messages_per_hour": .int(limits.messagesPerHour),
                "commands_per_minute": .int(limits.commandsPerMinute),
                "language": .string(self.languageName(current.defaultLanguage, texts: texts)),
            ]))
            rows = [
                [(texts.text("button.settings.commands"), "cmds"), (texts.text("button.settings.maintenance"), "maint")],
                [(texts.text("button.settings.limits"), "rl"), (texts.text("button.settings.language"), "lang")],
            ]
        case .commands:
            turn.reply.say(texts.text("settings.commands.title"))
            let commands = self.router.directory.commands.filter { $0.command != Self.command && self.router.serves($0) }
            let buttons = commands.map { route in
                ((route.isEnabled ? "✓ /" : "✗ /") + route.command, "cmd:\(route.command):\(route.isEnabled ? 0 : 1)")
            }
            rows = stride(from: 0, to: buttons.count, by: 2).map { Array(buttons[$0..<min($0 + 2, buttons.count)]) }
            rows.append([(texts.text("button.back"), "home")])
        case .maintenance:
            turn.reply.say(texts.text("settings.maintenance.title", ["state": .string(texts.text(current.maintenance ? "settings.on" : "settings.off"))]))
            turn.reply.say(current.maintenanceMessage.map { texts.text("settings.maintenance.message", ["message": .string($0)]) }
                ?? texts.text("settings.maintenance.no_message"))
            rows = [
                [current.maintenance ? (texts.text("button.maintenance.off"), "maint:off") : (texts.text("button.maintenance.on"), "maint:on")],
                [(texts.text("button.maintenance.message"), "maint:msg")]
                    + (current.maintenanceMessage == nil ? [] : [(texts.text("button.maintenance.clear"), "maint:clear")]),
                [(texts.text("button.back"), "home")],
            ]
        case .limits:
            turn.reply.say(texts.text("settings.limits.title"))
            for name in Self.ladderOrder {
                guard let ladder = Self.ladders[name] else { continue }
                let value = Int(current[ladder.setting] ?? "") ?? self.base(ladder.setting)
                turn.reply.say(texts.text("settings.limits.line", [
                    "name": .string(texts.text(ladder.key)), "value": .int(value), "base": .int(self.base(ladder.setting)),
                ]))
                let steps = [ladder.values.last { $0 < value }, ladder.values.first { $0 > value }].compactMap { $0 }
                rows.append(steps.map { step in
                    (texts.text("button.limits.set", ["name": .string(texts.text(ladder.key)), "value": .int(step)]), "rl:\(name):\(step)")
                })
            }
            rows.append([(texts.text("button.limits.reset"), "rl:env")])
            rows.append([(texts.text("button.back"), "home")])
        case .language:
            turn.reply.say(texts.text("settings.language.title", ["language": .string(self.languageName(current.defaultLanguage, texts: texts))]))
            let chosen = current.defaultLanguage
            rows = [self.catalogs.locales.map { locale in
                ((chosen == locale.identifier ? "✓ " : "") + texts.text("language.name.\(locale.identifier)"), "lang:\(locale.identifier)")
            }]
            rows.append([(texts.text("button.settings.language_default", ["language": .string(texts.text("language.name.\(self.catalogs.defaultLocale.identifier)"))]), "lang:env")])
            rows.append([(texts.text("button.back"), "home")])
        }
        let markup = rows.map { row in row.compactMap { try? InlineKeyboardButton.callback($0.0, data: Self.prefix + $0.1) } }.filter { !$0.isEmpty }
        turn.reply.show(InlineKeyboardMarkup(rows: markup))
    }

    private func base(_ setting: AdminSetting) -> Int {
        switch setting {
        case .messagesPerHour: self.baseLimits.messagesPerHour
        case .commandsPerMinute: self.baseLimits.commandsPerMinute
        default: self.baseLimits.messagesPerMinute
        }
    }

    private func languageName(_ code: String?, texts: Localizer) -> String {
        texts.text("language.name.\(code ?? self.catalogs.defaultLocale.identifier)")
    }
}
