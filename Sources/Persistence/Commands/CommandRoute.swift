import Foundation

/// One row of `bot_commands`: a command, where it leads, who may use it, and
/// how it is described in each language (the source of `setMyCommands`).
public struct CommandRoute: Sendable, Hashable {
    /// Where a command leads.
    public enum Target: Sendable, Hashable, CustomStringConvertible {
        /// A conversation flow, by name (`create_request`).
        case flow(String)
        /// A downstream service call, by name (`requests.mine`).
        case service(String)
        /// Something the bot framework does itself (`start`, `help`, `cancel`, a submenu).
        case builtin(String)

        /// Parses the stored form, `flow:<name>`, `service:<name>` or `builtin:<name>`.
        public init?(_ text: String) {
            let parts = text.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { return nil }
            switch parts[0] {
            case "flow": self = .flow(String(parts[1]))
            case "service": self = .service(String(parts[1]))
            case "builtin": self = .builtin(String(parts[1]))
            default: return nil
            }
        }

        public var description: String {
            switch self {
            case .flow(let name): "flow:\(name)"
            case .service(let name): "service:\(name)"
            case .builtin(let name): "builtin:\(name)"
            }
        }
    }

    public var bot: String
    /// Without the slash: `create_request`.
    public var command: String
    public var target: Target
    /// Empty: everyone; otherwise any one of these roles grants the command.
    public var requiredRoles: [String]
    /// Language code to description: `["en": "Create a repair request", …]`.
    public var descriptions: [String: String]
    public var isEnabled: Bool
    /// Position in menus and in `setMyCommands`, ascending.
    public var sortOrder: Int
    public var updatedAt: Date

    public init(
        bot: String,
        command: String,
        target: Target,
        requiredRoles: [String] = [],
        descriptions: [String: String] = [:],
        isEnabled: Bool = true,
        sortOrder: Int = 0,
        updatedAt: Date = Date()
    ) {
        self.bot = bot
        self.command = command
        self.target = target
        self.requiredRoles = requiredRoles
        self.descriptions = descriptions
        self.isEnabled = isEnabled
        self.sortOrder = sortOrder
        self.updatedAt = updatedAt
    }

    /// Whether a user holding `roles` may use the command.
    public func isAllowed(for roles: some Collection<String>) -> Bool {
        self.requiredRoles.isEmpty || roles.contains(where: self.requiredRoles.contains)
    }
}
