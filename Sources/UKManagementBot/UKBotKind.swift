import ConversationBots
public import Gateway
import ServiceClients

/// The `uk` bot kind: the UK management bot, calling the five UK services
/// (`AUTH_SERVICE_URL`, `USER_SERVICE_URL`, `REQUEST_SERVICE_URL`,
/// `SHIFT_SERVICE_URL`, `ANALYTICS_SERVICE_URL`), with its commands in the
/// `uk` rows of `bot_commands` and its users' roles from the auth service.
public struct UKBotKind: BotKind {
    /// Creates the kind.
    public init() {}

    public var name: String { "uk" }

    public func requiredServices(for bot: GatewayConfiguration.Bot) -> [String] {
        DownstreamClients.serviceNames
    }

    public func makeBot(_ bot: GatewayConfiguration.Bot, context: BotContext) async throws -> BotParts {
        let commands = await context.commands(catalog: UKCommands.catalogName, defaults: UKCommands.defaultRoutes)
        // One login per user shared by every instance, through Redis when the gateway has it.
        let shared = context.redis.map { RedisAuthSessionCache(client: $0, keyPrefix: context.keyPrefix) }
        var tokens: CachingAccessTokenProvider?
        let services = try DownstreamClients(
            configuration: context.configuration.downstream,
            httpClient: context.httpClient,
            logger: context.logger,
            requiredBy: "bot \"\(bot.id)\" (kind uk)",
            bulkheads: context.bulkheads,
            health: context.serviceHealth
        ) { auth in
            let provider = CachingAccessTokenProvider(auth: auth, shared: shared)
            tokens = provider
            return provider
        }
        guard let tokens else { preconditionFailure("DownstreamClients made no token provider") }
        let handler = try UKBot(.init(
            catalogs: context.catalogs, services: services, preferences: context.preferences, commands: commands, profile: context.profile,
            status: context.status, settings: (context.settings, limits: context.configuration.rateLimits),
            broadcasts: context.broadcasts))
        let auth = AuthMiddleware(
            identities: SessionIdentityProvider(tokens: tokens),
            commands: commands,
            admins: context.configuration.downstream.adminUserIDs,
            notice: context.notices.refused
        )
        return BotParts(
            handler: handler, middleware: [auth], menus: UKCommands.menus(directory: commands, catalogs: context.catalogs),
            templates: UKNotifications.templates,
            commandSwitch: RouterCommandSwitch(router: UKCommands.router(directory: commands), catalogs: context.catalogs))
    }
}
