import Logging
import ServiceLifecycle
import Synchronization

/// The commands of one bot, enabled or not, held in memory for routing and kept
/// current: ``refresh()`` loads them, and as a `Service` it polls the
/// table's ``CommandRepository/fingerprint(bot:)`` every
/// ``pollInterval`` and reloads when it changed, so an edit made on one
/// instance (`/settings`) reaches every instance within seconds.
public final class CommandCatalog: Service, Sendable {
    private struct Snapshot {
        var fingerprint: String?
        var commands: [CommandRoute]
    }

    public let bot: String
    /// How often the service checks for changes.
    public let pollInterval: Duration
    private let repository: CommandRepository
    private let logger: Logger
    private let snapshot = Mutex(Snapshot(fingerprint: nil, commands: []))

    /// Creates a catalog holding `initial` until the first load: call
    /// ``refresh()`` before serving, or let the polls load it once the
    /// database answers (the gateway starts with the bot's default routes
    /// when PostgreSQL is away).
    public init(
        bot: String,
        repository: CommandRepository,
        initial: [CommandRoute] = [],
        pollInterval: Duration = .seconds(1),
        logger: Logger
    ) {
        self.bot = bot
        self.repository = repository
        self.pollInterval = pollInterval
        self.logger = logger
        self.snapshot.withLock { $0.commands = initial.sorted { $0.sortOrder < $1.sortOrder } }
    }

    /// The commands as last loaded, enabled or not, in sort order.
    public var commands: [CommandRoute] {
        self.snapshot.withLock { $0.commands }
    }

    /// The command named `command` (without the slash), enabled or not, if any.
    public func route(for command: String) -> CommandRoute? {
        self.snapshot.withLock { $0.commands.first { $0.command == command } }
    }

    /// Loads the commands now, whether or not they changed.
    public func refresh() async throws {
        // The fingerprint is read first: a change landing between the two
        // reads makes the next poll reload again rather than be missed.
        let fingerprint = try await self.repository.fingerprint(bot: self.bot)
        let commands = try await self.repository.commands(bot: self.bot)
        self.snapshot.withLock { $0 = Snapshot(fingerprint: fingerprint, commands: commands) }
    }

    /// Turns `command` on or off in `bot_commands` and reloads, so this
    /// instance routes on the change at once; false when there is no such command.
    public func setEnabled(_ enabled: Bool, command: String) async throws -> Bool {
        guard try await self.repository.setEnabled(enabled, bot: self.bot, command: command) else { return false }
        try await self.refresh()
        return true
    }

    /// Reloads when the table changed since the last load; returns whether it did.
    @discardableResult
    public func refreshIfChanged() async throws -> Bool {
        let fingerprint = try await self.repository.fingerprint(bot: self.bot)
        guard fingerprint != self.snapshot.withLock({ $0.fingerprint }) else { return false }
        try await self.refresh()
        return true
    }

    /// Polls for changes until graceful shutdown. A failed poll keeps the
    /// commands loaded before; the first failure of a run of them is logged.
    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while true {
                try await Task.sleep(for: self.pollInterval)
                do {
                    if try await self.refreshIfChanged() {
                        self.logger.info("commands reloaded", metadata: ["bot": "\(self.bot)", "count": "\(self.commands.count)"])
                    }
                    failing = false
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    if !failing {
                        self.logger.warning(
                            "commands poll failed; keeping the loaded ones",
                            metadata: ["bot": "\(self.bot)", "error": "\(PostgresErrorMessage.text(for: error))"]
                        )
                    }
                    failing = true
                }
            }
        }
    }
}
