public import ServiceLifecycle
public import TelegramBotAPI

/// What a ``BotKind`` builds for one bot: the gateway runs every update of
/// the bot through its standard middleware (logging, rate limits), then
/// ``middleware``, then the locale and activity middleware, then ``handler``.
public struct BotParts: Sendable {
    /// Decides each step: the conversation's new state and the replies.
    public var handler: any UpdateHandler
    /// The bot's own middleware, such as auth and role checks.
    public var middleware: [any UpdateMiddleware]
    /// The command menus published with `setMyCommands` at start.
    public var menus: [SetMyCommands]
    /// Long-lived parts the bot needs running, started before the listener.
    public var services: [any Service]
    /// What the bot adds to catalog keys the operator API sends as templates.
    public var templates: [String: MessageTemplate]
    /// Turns the bot's commands on and off for the operator API; nil when it has none to switch.
    public var commandSwitch: (any CommandSwitch)?

    /// Creates the parts.
    public init(
        handler: any UpdateHandler, middleware: [any UpdateMiddleware] = [], menus: [SetMyCommands] = [], services: [any Service] = [],
        templates: [String: MessageTemplate] = [:], commandSwitch: (any CommandSwitch)? = nil
    ) {
        self.handler = handler
        self.middleware = middleware
        self.menus = menus
        self.services = services
        self.templates = templates
        self.commandSwitch = commandSwitch
    }
}
