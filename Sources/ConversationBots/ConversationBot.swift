public import Conversations
public import Gateway
public import Localization
import Logging
public import TelegramBotAPI

/// A bot whose conversations are flows: the generic adapter between Telegram
/// and ``FlowRuntime`` that a bot module configures with a ``Definition``.
///
/// It routes each update — a typed command through the ``CommandRouter``
/// (the bot's rows in `bot_commands`), a pressed button to its handler or
/// the running flow, anything else to the user's conversation — drives the
/// flow runtime through the bot's service calls, and answers in the user's
/// language: one message per step, editing the pressed screen where that
/// fits. Everything it decides comes back as a ``StepOutcome``, which the
/// gateway commits atomically with the update's acknowledgement; it keeps no
/// state of its own.
public struct ConversationBot: UpdateHandler {
    /// The flows the built-in commands run beside a bot's own when it has settings
    /// (`/settings`' maintenance message), for tools that list a conversation's steps.
    public static let builtInFlows: [Flow] = SettingsMenu.flows

    /// A command that answers without a flow, such as a list read from a service.
    public typealias ServiceCommand = @Sendable (_ arguments: String, _ turn: inout ConversationTurn) async -> Void
    /// Answers a pressed button whose callback data starts with the handler's prefix; gets the rest.
    public typealias ButtonHandler = @Sendable (_ data: Substring, _ turn: inout ConversationTurn) async -> Void

    /// Buttons whose callback data starts with a prefix, such as a list's paging buttons.
    public struct Button: Sendable {
        /// The command the buttons belong to: they work only while it is
        /// enabled, served and open to the user's roles, as the command itself
        /// does, so an old message's buttons or forged data cannot get round it.
        public var command: String?
        /// Answers a press; gets the data after the prefix.
        public var handler: ButtonHandler

        /// Creates a button route.
        public init(command: String?, handler: @escaping ButtonHandler) {
            self.command = command
            self.handler = handler
        }
    }
    /// Makes a service call a flow asks for; never throws: a failure is an outcome the flow branches on.
    public typealias FlowCalls = @Sendable (_ call: ServiceCall, _ turn: ConversationTurn) async -> ServiceOutcome
    /// The language a successful call switched the user to, if it did (a `/language` flow's call).
    public typealias LanguageChange = @Sendable (_ call: ServiceCall, _ outcome: ServiceOutcome) -> LocaleCode?

    /// What a bot module provides.
    public struct Definition: Sendable {
        /// The bot's flows (`flow:<name>` targets).
        public var flows: FlowRegistry
        /// The menu `/start`, `/menu` and the end of every flow show.
        public var mainMenu: Menu
        /// Submenus by name (`builtin:<name>` targets), titled by the catalog key `<name>.title`.
        public var menus: [String: Menu]
        /// Commands that answer without a flow (`service:<name>` targets).
        public var services: [String: ServiceCommand]
        /// Buttons by callback-data prefix, such as `req:`.
        public var buttons: [String: Button]
        /// The flows' service calls.
        public var calls: FlowCalls
        /// Which calls switch the user's language.
        public var languageChange: LanguageChange

        /// Creates a definition.
        public init(
            flows: FlowRegistry,
            mainMenu: Menu,
            menus: [String: Menu] = [:],
            services: [String: ServiceCommand] = [:],
            buttons: [String: Button] = [:],
            calls: @escaping FlowCalls,
            languageChange: @escaping LanguageChange = { _, _ in nil }
        ) {
            self.flows = flows
            self.mainMenu = mainMenu
            self.menus = menus
            self.services = services
            self.buttons = buttons
            self.calls = calls
            self.languageChange = languageChange
        }
    }

    private let definition: Definition
    private let catalogs: Catalogs
    private let profile: BotProfile
    private let runtime: FlowRuntime
    private let status: (any StatusSource)?
    private let settings: SettingsMenu?
    private let broadcasts: BroadcastComposer?
    /// Routes commands on the bot's rows in `bot_commands`.
    public let router: CommandRouter

    /// Creates the bot.
    /// - Parameters:
    ///   - commands: the bot's command routes (`bot_commands`).
    ///   - profile: the bot's username, for commands addressed in groups; while unknown, any is accepted.
    ///   - status: what `builtin:status` (`/status`) reports; without it the command is not understood.
    ///   - settings: what `builtin:settings` (`/settings`) changes, and the
    ///     environment's rate limits it shows beside them; without it the command is not understood.
    ///   - broadcasts: what sends `builtin:broadcast` (`/broadcast`); without it the command is not understood.
    /// - Throws: ``FlowValidationError`` when a flow is broken or a catalog
    ///   lacks one of its keys — checked here so a bad deployment stops at start.
    public init(
        _ definition: Definition, catalogs: Catalogs, commands: any CommandDirectory, profile: BotProfile,
        status: (any StatusSource)? = nil, settings: (RuntimeSettings, limits: RateLimitPolicy)? = nil, broadcasts: BroadcastEngine? = nil
    ) throws {
        // The built-in commands' own flows run beside the bot's.
        let flows = FlowRegistry(definition.flows.flows + (settings == nil ? [] : Self.builtInFlows), messages: definition.flows.messages)
        try flows.validate { key in
            catalogs.locales(missing: key).map(\.identifier)
        }
        self.definition = definition
        self.catalogs = catalogs
        self.profile = profile
        self.status = status
        self.runtime = FlowRuntime(flows)
        var builtins = CommandRouter.builtins
        if status == nil { builtins.remove("status") }
        if settings == nil { builtins.remove("settings") }
        if broadcasts == nil { builtins.remove("broadcast") }
        let router = CommandRouter(
            directory: commands, flows: definition.flows, services: Set(definition.services.keys), menus: Set(definition.menus.keys),
            builtins: builtins)
        self.router = router
        self.settings = settings.map { SettingsMenu(settings: $0.0, router: router, catalogs: catalogs, baseLimits: $0.limits) }
        self.broadcasts = broadcasts.map { BroadcastComposer(engine: $0, catalogs: catalogs) }
    }

    public func handle(_ update: Update, context: UpdateContext) async throws -> StepOutcome {
        guard let chat = update.chat, let user = update.from, !user.isBot else { return .unchanged }
        var turn = ConversationTurn(
            update: update,
            chat: chat,
            user: user,
            context: context,
            texts: self.catalogs.localizer(for: LocaleCode(context.locale) ?? self.catalogs.defaultLocale),
            stored: context.state.flatMap { bytes in
                do {
                    return try ConversationState.decode(bytes)
                } catch {
                    context.logger.warning("stored conversation state unreadable; starting afresh", metadata: ["error": "\(error)"])
                    return nil
                }
            },
            mainMenu: MenuKeyboard(menu: self.definition.mainMenu, router: self.router)
        )
        await self.route(&turn)
        return turn.outcome()
    }

    private func route(_ turn: inout ConversationTurn) async {
        let update = turn.update
        if let command = update.message?.botCommand, update.callbackQuery == nil {
            guard turn.isAddressedToUs(command, username: self.profile.username) else { return }
            await self.run(command: command.name, arguments: command.arguments, &turn)
            return
        }
        if let data = update.callbackQuery?.data {
            await self.press(data, &turn)
            return
        }
        if turn.state?.flow == BroadcastComposer.flow, let message = update.message, let broadcasts = self.broadcasts {
            broadcasts.handle(message, &turn)
            return
        }
        guard let event = Self.event(of: update) else { return }
        if turn.state != nil {
            await self.drive(self.runtime.handle(event, state: turn.state), &turn)
        } else if !turn.chat.type.isGroup {
            // Outside any conversation: say how to find one.
            turn.reply.say(turn.texts.text("common.not_understood"))
            turn.showMainMenu()
        }
    }

    /// Text, photo, contact or location as a flow event.
    private static func event(of update: Update) -> FlowEvent? {
        guard let message = update.message, update.callbackQuery == nil else { return nil }
        if let photo = message.photo?.max(by: { $0.width * $0.height < $1.width * $1.height }) {
            return .photo(fileID: photo.fileID)
        }
        if let contact = message.contact {
            return .contact(phone: contact.phoneNumber)
        }
        if let location = message.location {
            return .location(latitude: location.latitude, longitude: location.longitude)
        }
        return message.text.map(FlowEvent.text)
    }

    private func press(_ data: String, _ turn: inout ConversationTurn) async {
        if data.hasPrefix(AuthMiddleware.commandButtonPrefix) {
            if turn.chat.type.isGroup {
                // A menu in a group is shown to everyone: the member pressing it gets their own message.
                turn.reply.keepPressedMessage()
            }
            // `cmd:request_status R-000981`: a command and its arguments, as typed.
            let command = data.dropFirst(AuthMiddleware.commandButtonPrefix.count)
            let name = command.prefix { $0 != " " }
            await self.run(command: String(name), arguments: String(command.dropFirst(name.count).drop { $0 == " " }), &turn)
        } else if data.hasPrefix(SettingsMenu.prefix) {
            guard let settings = self.settings, self.admitted(SettingsMenu.command, &turn) != nil else { return }
            if data == SettingsMenu.prefix + "maint:msg" {
                await self.start(flow: SettingsMenu.messageFlow, arguments: "", &turn)
            } else {
                await settings.press(data.dropFirst(SettingsMenu.prefix.count), &turn)
            }
        } else if data.hasPrefix(BroadcastComposer.prefix) || data.hasPrefix(BroadcastEngine.buttonPrefix) {
            guard let broadcasts = self.broadcasts, self.admitted(BroadcastComposer.command, &turn) != nil else { return }
            if data.hasPrefix(BroadcastComposer.prefix) {
                await broadcasts.press(data.dropFirst(BroadcastComposer.prefix.count), &turn)
            } else {
                await broadcasts.control(data.dropFirst(BroadcastEngine.buttonPrefix.count), &turn)
            }
        } else if let (prefix, button) = self.definition.buttons.first(where: { data.hasPrefix($0.key) }) {
            if let command = button.command, self.admitted(command, &turn) == nil { return }
            await button.handler(data.dropFirst(prefix.count), &turn)
        } else if let press = ButtonPress.parse(data) {
            await self.drive(self.runtime.handle(.button(press), state: turn.state), &turn)
        } else {
            turn.context.logger.info("unknown button data; answered as expired")
            turn.render([.expired])
        }
    }

    /// Where `command` leads when the user may use it now: it has a row, is
    /// open to their roles, enabled and served. If not, says why and returns nil.
    private func admitted(_ command: String, _ turn: inout ConversationTurn) -> CommandRouter.Destination? {
        guard let route = self.router.directory.route(for: command) else {
            turn.reply.say(turn.texts.text("common.not_understood"))
            return nil
        }
        // Roles first, as the auth middleware checks them: a disabled command is no reason to tell a stranger it exists.
        guard route.isAllowed(for: turn.roles) else {
            turn.context.logger.info("command refused: missing role", metadata: ["command": "\(command)"])
            turn.reply.say(turn.texts.text("error.forbidden"))
            return nil
        }
        let destination = self.router.destination(of: route)
        if case .unavailable = destination {
            turn.context.logger.info("command not available", metadata: ["command": "\(command)", "enabled": "\(route.isEnabled)", "target": "\(route.target)"])
            turn.reply.say(turn.texts.text("common.unavailable", ["command": .string(command)]))
            return nil
        }
        return destination
    }

    private func run(command: String, arguments: String, _ turn: inout ConversationTurn) async {
        guard let destination = self.admitted(command, &turn) else { return }
        switch destination {
        case .builtin(let name) where name == "start" || name == "menu":
            turn.leaveFlow()
            turn.reply.say(name == "start" ? turn.texts.text("menu.greeting", ["name": .string(turn.user.firstName)]) : turn.texts.text("menu.title"))
            turn.reply.show(turn.mainMenu.keyboard(roles: turn.roles, texts: turn.texts))
            if name == "start" {
                if !arguments.isEmpty {
                    turn.context.logger.info("start with a deep link", metadata: ["payload": "\(arguments.prefix(64))"])
                }
                self.publishRoleMenu(&turn)
            }
        case .builtin("help"):
            turn.reply.say(CommandMenus.help(self.router.offered(to: turn.roles), texts: turn.texts))
        case .builtin("cancel"):
            if turn.state?.flow == BroadcastComposer.flow {
                turn.leaveFlow()
                turn.reply.say(turn.texts.text("common.cancelled"))
                turn.showMainMenu()
            } else if turn.state != nil {
                await self.drive(self.runtime.handle(.cancel, state: turn.state), &turn)
            } else {
                turn.reply.say(turn.texts.text("common.cancelled"))
                turn.showMainMenu()
            }
        case .builtin("status"):
            guard let status = self.status else {
                turn.reply.say(turn.texts.text("common.not_understood"))
                return
            }
            let report = await status.report()
            turn.reply.say(StatusText.render(report, texts: turn.texts))
            turn.reply.show(StatusText.keyboard(texts: turn.texts))
        case .builtin("settings"):
            guard let settings = self.settings else {
                turn.reply.say(turn.texts.text("common.not_understood"))
                return
            }
            settings.home(&turn)
        case .builtin("broadcast"):
            guard let broadcasts = self.broadcasts else {
                turn.reply.say(turn.texts.text("common.not_understood"))
                return
            }
            broadcasts.begin(&turn)
        case .builtin, .unknown, .unavailable:
            // admitted() returns neither of the last two, and the router only the built-ins above.
            turn.reply.say(turn.texts.text("common.not_understood"))
        case .menu(let name):
            turn.reply.say(turn.texts.text("\(name).title"))
            if let menu = self.definition.menus[name] {
                turn.reply.show(MenuKeyboard(menu: menu, router: self.router).keyboard(roles: turn.roles, texts: turn.texts))
            }
        case .flow(let name):
            await self.start(flow: name, arguments: arguments, &turn)
        case .service(let name):
            await self.definition.services[name]?(arguments, &turn)
        }
    }

    private func start(flow: String, arguments: String, _ turn: inout ConversationTurn) async {
        let id = "\(turn.context.bot.name)-\(turn.context.conversation)-\(turn.update.updateID)"
        do {
            var transition = try self.runtime.start(flow: flow, id: id)
            if !arguments.isEmpty, transition.pendingCall == nil {
                // `/request_status R-000981`: the argument answers the first question.
                turn.apply(transition.state)
                transition = self.runtime.handle(.text(arguments), state: transition.state)
            }
            await self.drive(transition, &turn)
        } catch {
            turn.context.logger.error("flow could not start", metadata: ["flow": "\(flow)", "error": "\(error)"])
            turn.reply.say(turn.texts.text("error.unexpected"))
        }
    }

    /// Gives a user with extra roles a command menu of their own in their
    /// private chat: Telegram has no role scope.
    private func publishRoleMenu(_ turn: inout ConversationTurn) {
        guard turn.chat.type == .private,
              let menu = CommandMenus.roleMenu(self.router, roles: turn.roles, chatID: turn.chat.id, texts: turn.texts)
        else { return }
        turn.extraCalls.append(.setMyCommands(menu))
    }

    /// Renders `transition`, making its service call and handing the outcome
    /// back until the runtime asks for none.
    private func drive(_ first: Transition, _ turn: inout ConversationTurn) async {
        var transition = first
        while true {
            turn.apply(transition.state)
            turn.render(transition.actions)
            guard let call = transition.pendingCall else { return }
            let outcome =
                if call.name == SettingsMenu.saveMessage, let settings = self.settings {
                    await settings.saveMessage(call, turn)
                } else {
                    await self.definition.calls(call, turn)
                }
            if let locale = self.definition.languageChange(call, outcome) {
                // The confirmation is the first thing said in the new language.
                turn.texts = self.catalogs.localizer(for: locale)
                self.publishRoleMenu(&turn)
            }
            transition = self.runtime.handle(.serviceResult(outcome), state: transition.state)
        }
    }
}
