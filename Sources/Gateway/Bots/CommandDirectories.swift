import Logging
import Persistence
import ServiceLifecycle
import Synchronization

/// One command directory per `bot_commands` catalog, shared by the bots that
/// name it: with PostgreSQL a ``CommandCatalog`` loaded at start and polled
/// as a service, without it the catalog's default routes. When PostgreSQL is
/// configured but away at start, the catalog starts with the defaults and
/// its polls load the table once the database answers.
final class CommandDirectories: Sendable {
    private let database: Database?
    private let connector: DatabaseConnector?
    private let logger: Logger
    private let loaded = Mutex<[String: any CommandDirectory]>([:])
    private let catalogs = Mutex<[CommandCatalog]>([])

    init(database: Database?, connector: DatabaseConnector?, logger: Logger) {
        self.database = database
        self.connector = connector
        self.logger = logger
    }

    func directory(catalog name: String, defaults: [CommandRoute]) async -> any CommandDirectory {
        if let known = self.loaded.withLock({ $0[name] }) {
            return known
        }
        guard let database else {
            let directory = StaticCommandDirectory(defaults)
            self.loaded.withLock { $0[name] = directory }
            return directory
        }
        let catalog = CommandCatalog(
            bot: name, repository: CommandRepository(database: database, logger: self.logger), initial: defaults, logger: self.logger)
        if self.connector?.isConnected ?? true {
            do {
                try await catalog.refresh()
            } catch {
                self.logger.warning(
                    "commands not loaded; serving the defaults until PostgreSQL answers",
                    metadata: ["catalog": "\(name)", "error": "\(PostgresErrorMessage.kind(of: error))"]
                )
            }
        }
        return self.loaded.withLock { loaded in
            if let known = loaded[name] { return known }
            loaded[name] = catalog
            self.catalogs.withLock { $0.append(catalog) }
            return catalog
        }
    }

    /// The catalogs to poll for changes, as services.
    var services: [any Service] {
        self.catalogs.withLock { $0 }
    }
}
