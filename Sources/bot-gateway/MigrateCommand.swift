import ArgumentParser
import BundledFiles
import Foundation
import Logging
import Persistence

/// `bot-gateway migrate status|up`: the PostgreSQL schema, from the `.sql`
/// files built into the executable (or a folder) and the `DATABASE_URL` database.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Show or apply the PostgreSQL migrations (DATABASE_URL).",
        subcommands: [Status.self, Up.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "A folder of .sql migrations to use instead of those built in (default: MIGRATIONS_DIR when set).")
        var directory: String?

        /// Where the migrations come from, for messages.
        var origin: String {
            Self.folder(self.directory) ?? "the migrations built into bot-gateway"
        }

        /// The migrations of `directory`, else of `MIGRATIONS_DIR`, else those built into the
        /// executable (the repository's `Migrations/` when it was built).
        static func migrations(directory: String?) throws -> [MigrationFile] {
            guard let folder = Self.folder(directory) else {
                return BundledFiles.migrations.map { MigrationFile(name: $0.name, sql: $0.text) }
            }
            return try MigrationFile.load(directory: folder)
        }

        private static func folder(_ directory: String?) -> String? {
            if let directory { return directory }
            guard let configured = ProcessInfo.processInfo.environment["MIGRATIONS_DIR"], !configured.isEmpty else { return nil }
            return configured
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List applied, pending, changed and missing migrations; exits 1 when any applied file changed or is missing."
        )

        @OptionGroup var options: Options

        func run() async throws {
            let statuses = try await MigrateCommand.withMigrator(directory: self.options.directory) { try await $0.status() }
            if statuses.isEmpty {
                print("no migrations in \(self.options.origin)")
            }
            var broken = false
            for status in statuses {
                switch status.state {
                case .applied(let date):
                    print("applied  \(status.name)  \(date.formatted(.iso8601))")
                case .pending:
                    print("pending  \(status.name)")
                case .changed:
                    broken = true
                    print("CHANGED  \(status.name)  (edited after it was applied)")
                case .missing:
                    broken = true
                    print("MISSING  \(status.name)  (applied, but the file is gone)")
                }
            }
            if broken { throw ExitCode.failure }
        }
    }

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the pending migrations in name order, each in a transaction, under an advisory lock."
        )

        @OptionGroup var options: Options

        func run() async throws {
            let applied = try await MigrateCommand.withMigrator(directory: self.options.directory) { try await $0.up() }
            if applied.isEmpty {
                print("up to date")
            }
            for name in applied {
                print("applied  \(name)")
            }
        }
    }

    static func withMigrator<Result: Sendable>(
        directory: String?,
        _ body: (Migrator) async throws -> Result
    ) async throws -> Result {
        let configuration = try DatabaseConfiguration(environment: ProcessInfo.processInfo.environment)
        let files = try Options.migrations(directory: directory)
        var logger = Logger(label: "bot-gateway.migrate")
        // The pool's own retries would be noise here: ping(timeout:) reports an unreachable database.
        logger.logLevel = .error
        do {
            return try await Database.withRunning(configuration: configuration, logger: logger) { database in
                // Fail in seconds with a clear line rather than wait out the pool's connect retries.
                try await database.ping(timeout: .seconds(10))
                return try await body(Migrator(database: database, files: files, logger: logger))
            }
        } catch let error as PersistenceError {
            throw error
        } catch {
            // PostgresNIO's own descriptions are generic on purpose; say what failed where.
            FileHandle.standardError.write(Data("Error: database \(configuration.host):\(configuration.port)/\(configuration.database): \(PostgresErrorMessage.text(for: error))\n".utf8))
            throw ExitCode.failure
        }
    }
}
