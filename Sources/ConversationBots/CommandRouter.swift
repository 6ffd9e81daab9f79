public import Conversations
public import Gateway
public import Persistence

/// Decides what a command leads to from its row in `bot_commands` — the one
/// list of a bot's commands — and whether the bot serves that target:
/// `flow:<name>` a flow it has, `service:<name>` a service command it
/// defines, `builtin:<name>` one of ``builtins`` or a submenu it defines.
///
/// The directory is read on every update, so an admin's edit (enable,
/// disable, roles) takes effect on every instance within the catalog's poll
/// interval.
public struct CommandRouter: Sendable {
    /// Where a command leads, as far as this bot goes.
    public enum Destination: Sendable, Hashable {
        /// No row names the command.
        case unknown
        /// The row is disabled, or names a target this bot does not serve.
        case unavailable(CommandRoute)
        /// A built-in: `start`, `menu`, `help`, `cancel`, `status`, `settings` or `broadcast`.
        case builtin(String)
        /// A submenu of the bot.
        case menu(String)
        /// A flow of the bot.
        case flow(String)
        /// A service command of the bot.
        case service(String)
    }

    /// What a conversation bot may do itself.
    public static let builtins: Set<String> = ["start", "menu", "help", "cancel", "status", "settings", "broadcast"]

    /// The command routes.
    public let directory: any CommandDirectory
    private let flows: FlowRegistry
    private let services: Set<String>
    private let menus: Set<String>
    private let builtins: Set<String>

    /// Creates a router over `directory` for a bot with these flows, service
    /// commands, submenus and built-ins (those of ``builtins`` it can serve:
    /// `/broadcast` needs Redis and PostgreSQL).
    public init(directory: any CommandDirectory, flows: FlowRegistry, services: Set<String>, menus: Set<String>, builtins: Set<String> = Self.builtins) {
        self.directory = directory
        self.flows = flows
        self.services = services
        self.menus = menus
        self.builtins = builtins.intersection(Self.builtins)
    }

    /// Where `command` (without the slash) leads now.
    public func destination(of command: String) -> Destination {
        guard let route = self.directory.route(for: command) else { return .unknown }
        return self.destination(of: route)
    }

    /// Where `route` leads now: ``Destination/unavailable(_:)`` when it is
    /// disabled or its target is not served here.
    public func destination(of route: CommandRoute) -> Destination {
        guard route.isEnabled, let destination = self.served(route.target) else { return .unavailable(route) }
        return destination
    }

    /// Whether the bot serves `route`'s target, enabled or not.
    public func serves(_ route: CommandRoute) -> Bool {
        self.served(route.target) != nil
    }

    private func served(_ target: CommandRoute.Target) -> Destination? {
        switch target {
        case .builtin(let name) where self.builtins.contains(name): .builtin(name)
        case .builtin(let name) where self.menus.contains(name): .menu(name)
        case .flow(let name) where self.flows.flow(named: name) != nil: .flow(name)
        case .service(let name) where self.services.contains(name): .service(name)
        default: nil
        }
    }

    /// The commands offered to a user with `roles`: enabled, served and open to them, in menu order.
    public func offered(to roles: Set<String>) -> [CommandRoute] {
        self.directory.commands.filter { $0.isEnabled && $0.isAllowed(for: roles) && self.serves($0) }
    }

    /// Whether `command` is offered to a user with `roles`.
    public func isOffered(_ command: String, to roles: Set<String>) -> Bool {
        guard let route = self.directory.route(for: command) else { return false }
        return route.isEnabled && route.isAllowed(for: roles) && self.serves(route)
    }
}
