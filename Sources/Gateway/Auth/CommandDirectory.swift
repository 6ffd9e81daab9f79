public import Persistence

/// Where the gateway looks up a command's route and required roles:
/// ``Persistence/CommandCatalog`` (the `bot_commands` table, refreshed on
/// change) in production, a fixed list where no database is configured.
public protocol CommandDirectory: Sendable {
    /// The route of `command` (without slash), enabled or not, or nil.
    /// A disabled route is still checked for roles and answered "not available".
    func route(for command: String) -> CommandRoute?
    /// Every route, enabled or not, in menu order.
    var commands: [CommandRoute] { get }
}

extension CommandCatalog: CommandDirectory {}

/// A ``CommandDirectory`` over a fixed list of routes.
public struct StaticCommandDirectory: CommandDirectory {
    public let commands: [CommandRoute]

    /// Creates a directory of `routes`.
    public init(_ routes: [CommandRoute]) {
        self.commands = routes.sorted { $0.sortOrder < $1.sortOrder }
    }

    public func route(for command: String) -> CommandRoute? {
        self.commands.first { $0.command == command }
    }
}
