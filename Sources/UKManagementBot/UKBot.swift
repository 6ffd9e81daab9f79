import ConversationBots
public import Conversations
public import Gateway
public import Localization
import ServiceClients
public import TelegramBotAPI

/// The UK management bot: a ``ConversationBot`` configured with the UK
/// flows, the service commands and buttons of its lists, its menus, and the
/// calls its flows make to the UK services.
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
        /// What `/status` reports.
        public var status: (any StatusSource)?
        /// What `/settings` changes, and the environment's rate limits.
        public var settings: (RuntimeSettings, limits: RateLimitPolicy)?
        /// What sends `/broadcast`; nil without Redis and PostgreSQL.
        public var broadcasts: BroadcastEngine?

        /// Creates the dependencies.
        public init(
            catalogs: Catalogs,
            services: DownstreamClients,
            preferences: any LanguagePreferences,
            commands: any CommandDirectory,
            profile: BotProfile,
            status: (any StatusSource)? = nil,
            settings: (RuntimeSettings, limits: RateLimitPolicy)? = nil,
            broadcasts: BroadcastEngine? = nil
        ) {
            self.catalogs = catalogs
            self.services = services
            self.preferences = preferences
            self.commands = commands
            self.profile = profile
            self.status = status
            self.settings = settings
            self.broadcasts = broadcasts
        }
    }

    /// The bot's flows, validated.
    public static let flows = FlowRegistry(UKFlows.all)

    /// The main menu: every entry's roles come from its command's row.
    static let mainMenu = Menu([
        [.init(command: "create_request", label: "button.create_request"), .init(command: "my_requests", label: "button.my_requests")],
        [.init(command: "request_status", label: "button.request_status"), .init(command: "language", label: "button.language")],
        [.init(command: "my_shifts", label: "button.my_shifts"), .init(command: "take_shift", label: "button.take_shift")],
        [.init(command: "admin", label: "button.admin")],
    ])

    /// The submenus (`builtin:<name>` targets): `/admin`, titled `admin.title`.
    static let submenus = [
        "admin": Menu([
            [.init(command: "analytics", label: "button.analytics")],
            [.init(command: "users", label: "button.users")],
            [.init(command: "status", label: "button.status"), .init(command: "settings", label: "button.settings")],
            [.init(command: "broadcast", label: "button.broadcast")],
        ]),
    ]

    /// The commands answered without a flow (`service:<name>` targets): the lists.
    static let serviceCommands: [String: @Sendable (DownstreamClients) -> ConversationBot.ServiceCommand] = [
        "requests.mine": { services in { _, turn in await UKLists.myRequests(services: services, &turn) } },
        "shifts.mine": { services in { _, turn in await UKLists.myShifts(services: services, &turn) } },
        "shifts.schedule": { services in { _, turn in await UKLists.schedule(services: services, &turn) } },
        "users.list": { services in { _, turn in await UKLists.users(page: 1, services: services, &turn) } },
    ]

    private let bot: ConversationBot

    /// Creates the bot.
    /// - Throws: ``FlowValidationError`` when a flow is broken or a catalog
    ///   lacks one of its keys — checked here so a bad deployment stops at start.
    public init(_ dependencies: Dependencies) throws {
        self.bot = try ConversationBot(
            Self.definition(dependencies), catalogs: dependencies.catalogs, commands: dependencies.commands, profile: dependencies.profile,
            status: dependencies.status, settings: dependencies.settings, broadcasts: dependencies.broadcasts)
    }

    public func handle(_ update: Update, context: UpdateContext) async throws -> StepOutcome {
        try await self.bot.handle(update, context: context)
    }

    private static func definition(_ dependencies: Dependencies) -> ConversationBot.Definition {
        let services = dependencies.services
        let calls = UKServiceCalls(services: services, preferences: dependencies.preferences)
        return ConversationBot.Definition(
            flows: Self.flows,
            mainMenu: Self.mainMenu,
            menus: Self.submenus,
            services: Self.serviceCommands.mapValues { $0(services) },
            buttons: [
                UKLists.requestPrefix: .init(command: nil) { number, turn in await UKLists.requestDetails(String(number), calls: calls, &turn) },
                UKLists.usersPrefix: .init(command: "users") { query, turn in await UKLists.users(query: query, services: services, &turn) },
            ],
            calls: { call, turn in await calls.perform(call, for: turn.caller) },
            languageChange: { call, outcome in
                guard call.name == UKServiceCalls.setLanguage, case .success = outcome, let code = call.arguments["language"]?.string else { return nil }
                return LocaleCode(code)
            }
        )
    }
}

extension ConversationTurn {
    /// Who a UK service call is for and how to word what it returns.
    var caller: UKServiceCalls.Caller {
        UKServiceCalls.Caller(
            downstream: DownstreamCaller(telegramID: self.user.id, requestID: self.context.correlationID),
            bot: self.context.bot,
            chatID: self.chat.id,
            serviceUserID: self.context.identity?.serviceUserID,
            texts: self.texts
        )
    }
}
