public import Conversations
import Foundation
public import Gateway
public import Localization
import Logging
public import TelegramBotAPI

/// The UK management bot: routes each update to a command, a menu button or
/// the user's conversation, drives the flow runtime through its service
/// calls, and answers in the user's language.
///
/// Everything it decides comes back as a ``StepOutcome`` — the new state and
/// the replies — which the gateway commits atomically with the update's
/// acknowledgement. It keeps no state of its own.
public struct UKBot: UpdateHandler {
    /// What the bot needs from the gateway.
    public struct Dependencies: Sendable {
        /// The message catalogs (`locales/`).
        public var catalogs: Catalogs
        /// The downstream services.
        public var services: DownstreamClients
        /// Where `/language` choices are kept.
        public var preferences: any LanguagePreferences
        /// The command routes (`bot_commands`).
        public var commands: any CommandDirectory
        /// The bot's username, for commands addressed in groups; while unknown, any is accepted.
        public var profile: BotProfile

        /// Creates the dependencies.
        public init(
            catalogs: Catalogs,
            services: DownstreamClients,
            preferences: any LanguagePreferences,
            commands: any CommandDirectory,
            profile: BotProfile
        ) {
            self.catalogs = catalogs
            self.services = services
            self.preferences = preferences
            self.commands = commands
            self.profile = profile
        }
    }

    /// The bot's flows, validated.
    public static let flows = FlowRegistry(UKFlows.all)

    private let dependencies: Dependencies
    private let runtime: FlowRuntime
    private let calls: UKServiceCalls

    /// Creates the bot.
    /// - Throws: ``FlowValidationError`` when a flow is broken or a catalog
    ///   lacks one of its keys — checked here so a bad deployment stops at start.
    public init(_ dependencies: Dependencies) throws {
        try Self.flows.validate { key in
            dependencies.catalogs.locales(missing: key).map(\.identifier)
        }
        self.dependencies = dependencies
        self.runtime = FlowRuntime(Self.flows)
        self.calls = UKServiceCalls(services: dependencies.services, preferences: dependencies.preferences)
    }

    public func handle(_ update: Update, context: UpdateContext) async throws -> StepOutcome {
        guard let chat = update.chat, let user = update.from, !user.isBot else { return .unchanged }
        var turn = UKTurn(
            update: update,
            chat: chat,
            user: user,
            context: context,
            texts: self.dependencies.catalogs.localizer(for: LocaleCode(context.locale) ?? self.dependencies.catalogs.defaultLocale),
            stored: context.state.flatMap { bytes in
                do {
                    return try ConversationState.decode(bytes)
                } catch {
                    context.logger.warning("stored conversation state unreadable; starting afresh", metadata: ["error": "\(error)"])
                    return nil
                }
            }
        )
        await self.route(&turn)
        return turn.outcome()
    }

    private func route(_ turn: inout UKTurn) async {
        let update = turn.update
        if let command = update.message?.botCommand, update.callbackQuery == nil {
            guard turn.isAddressedToUs(command, username: self.dependencies.profile.username) else { return }
            await self.run(command: command.name, arguments: command.arguments, &turn)
            return
        }
        if let data = update.callbackQuery?.data {
            await self.press(data, &turn)
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

    private func press(_ data: String, _ turn: inout UKTurn) async {
        if data.hasPrefix(AuthMiddleware.commandButtonPrefix) {
            if turn.chat.type.isGroup {
                // A menu in a group is shown to everyone: the member pressing it gets their own message.
                turn.reply.keepPressedMessage()
            }
            await self.run(command: String(data.dropFirst(AuthMiddleware.commandButtonPrefix.count)), arguments: "", &turn)
        } else if data.hasPrefix(UKLists.requestPrefix) {
            await UKLists.requestDetails(String(data.dropFirst(UKLists.requestPrefix.count)), calls: self.calls, &turn)
        } else if data.hasPrefix(UKLists.usersPrefix) {
            await UKLists.users(query: data.dropFirst(UKLists.usersPrefix.count), services: self.dependencies.services, &turn)
        } else if let press = ButtonPress.parse(data) {
            await self.drive(self.runtime.handle(.button(press), state: turn.state), &turn)
        } else {
            turn.context.logger.info("unknown button data; answered as expired")
            turn.render([.expired])
        }
    }

    private func run(command: String, arguments: String, _ turn: inout UKTurn) async {
        switch command {
        case "start", "menu":
            turn.leaveFlow()
            let name = turn.user.firstName
            turn.reply.say(command == "start" ? turn.texts.text("menu.greeting", ["name": .string(name)]) : turn.texts.text("menu.title"))
            turn.reply.show(UKMenu.keyboard(UKMenu.main, roles: turn.roles, texts: turn.texts))
            if command == "start" {
                if !arguments.isEmpty {
                    turn.context.logger.info("start with a deep link", metadata: ["payload": "\(arguments.prefix(64))"])
                }
                self.publishRoleMenu(&turn)
            }
        case "admin":
            turn.reply.say(turn.texts.text("admin.title"))
            turn.reply.show(UKMenu.keyboard(UKMenu.admin, roles: turn.roles, texts: turn.texts))
        case "help":
            turn.reply.say(UKLists.help(commands: self.dependencies.commands.commands, roles: turn.roles, texts: turn.texts))
        case "cancel":
            if turn.state != nil {
                await self.drive(self.runtime.handle(.cancel, state: turn.state), &turn)
            } else {
                turn.reply.say(turn.texts.text("common.cancelled"))
                turn.showMainMenu()
            }
        case "my_requests":
            await UKLists.myRequests(services: self.dependencies.services, &turn)
        case "my_shifts":
            await UKLists.myShifts(services: self.dependencies.services, &turn)
        case "shift_schedule":
            await UKLists.schedule(services: self.dependencies.services, &turn)
        case "users":
            await UKLists.users(page: 1, services: self.dependencies.services, &turn)
        case _ where Self.flows.flow(named: command) != nil:
            await self.start(flow: command, arguments: arguments, &turn)
        default:
            turn.reply.say(turn.texts.text("common.not_understood"))
        }
    }

    private func start(flow: String, arguments: String, _ turn: inout UKTurn) async {
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

    /// Gives a user with extra roles (executor, manager, admin) a command
    /// menu of their own in their private chat: Telegram has no role scope.
    private func publishRoleMenu(_ turn: inout UKTurn) {
        guard turn.chat.type == .private,
              let menu = UKCommands.roleMenu(directory: self.dependencies.commands, roles: turn.roles, chatID: turn.chat.id, texts: turn.texts)
        else { return }
        turn.extraCalls.append(.setMyCommands(menu))
    }

    /// Renders `transition`, making its service call and handing the outcome
    /// back until the runtime asks for none.
    private func drive(_ first: Transition, _ turn: inout UKTurn) async {
        var transition = first
        while true {
            turn.apply(transition.state)
            turn.render(transition.actions)
            guard let call = transition.pendingCall else { return }
            let outcome = await self.calls.perform(call, for: turn.caller)
            if call.name == UKServiceCalls.setLanguage, case .success = outcome, let code = call.arguments["language"]?.string,
               let locale = LocaleCode(code) {
                // The confirmation is the first thing said in the new language.
                turn.texts = self.dependencies.catalogs.localizer(for: locale)
                self.publishRoleMenu(&turn)
            }
            transition = self.runtime.handle(.serviceResult(outcome), state: transition.state)
        }
    }
}
