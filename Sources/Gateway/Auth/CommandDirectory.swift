public import Persistence
import Synchronization

/// Where the gateway looks up a command's route and required roles:
/// ``Persistence/CommandCatalog`` (the `bot_commands` table, refreshed on
/// change) in production, a fixed list where no database is configured.
public protocol CommandDirectory: Sendable {
    /// The route of `command` (without slash), enabled or not, or nil.
    /// A disabled route is still checked for roles and answered "not available".
    func route(for command: String) -> CommandRoute?
    /// Every route, enabled or not, in menu order.
    var commands: [CommandRoute] { get }
    /// Turns `command` on or off (`/settings`), seen by every instance
    /// sharing the directory's store within its poll interval and by this
    /// one at once; false when there is no such command.
    func setEnabled(_ enabled: Bool, command: String) async throws -> Bool
}

extension CommandCatalog: CommandDirectory {}

/// A ``CommandDirectory`` over a list of routes held in memory, where no
/// database is configured: a `/settings` toggle lasts until the process stops.
public final class StaticCommandDirectory: CommandDirectory {
    private let routes: Mutex<[CommandRoute]>

    /// Creates a directory of `routes`.
    public init(_ routes: [CommandRoute]) {
        self.routes = Mutex(routes.sorted { $0.sortOrder < $1.sortOrder })
    }

    public var commands: [CommandRoute] {
        self.routes.withLock { $0 }
    }

    public func route(for command: String) -> CommandRoute? {
        self.routes.withLock { $0.first { $0.command == command } }
    }

    public func setEnabled(_ enabled: Bool, command: String) async throws -> Bool {
        self.routes.withLock { routes in
            guard let index = routes.firstIndex(where: { $0.command == command }) else { return false }
            routes[index].isEnabled = enabled
            return true
        }
    }
}
