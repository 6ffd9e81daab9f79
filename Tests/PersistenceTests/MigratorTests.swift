import Foundation
import GatewayTestSupport
import Persistence
import PostgresNIO
import Testing

@Suite("Migrator against PostgreSQL")
struct MigratorTests {
    let logger = TestDatabase.logger

    /// A temp folder holding a copy of the real migrations plus `extra` files.
    func migrationsCopy(extra: [String: String] = [:]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: TestDatabase.migrationsDirectory) {
            try FileManager.default.copyItem(atPath: "\(TestDatabase.migrationsDirectory)/\(name)", toPath: "\(directory)/\(name)")
        }
        for (name, sql) in extra {
            try sql.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        }
        return directory
    }

    /// The repository's migrations, in order.
    var shipped: [String] {
        get throws { try MigrationFile.load(directory: TestDatabase.migrationsDirectory).map(\.name) }
    }

    func migrator(_ database: Database, directory: String = TestDatabase.migrationsDirectory) throws -> Migrator {
        Migrator(database: database, files: try MigrationFile.load(directory: directory), logger: self.logger)
    }

    @Test func freshDatabaseGetsEveryTableAndTheUKCommands() async throws {
        try await TestDatabase.withEmpty { configuration in
            try await Database.withRunning(configuration: configuration, logger: self.logger) { database in
                let migrator = try self.migrator(database)
                let shipped = try self.shipped
                #expect(shipped.first == "0001_initial.sql")
                #expect(try await migrator.status().map(\.state) == shipped.map { _ in .pending })

                #expect(try await migrator.up() == shipped)

                for table in ["bot_sessions", "bot_commands", "inline_keyboard_cache", "bot_metrics", "bot_metrics_hourly", "bot_metrics_daily", "schema_migrations", "dead_letters", "admin_audit"] {
                    let exists = try await database.scalar("SELECT to_regclass(\(table)) IS NOT NULL", as: Bool.self)
                    #expect(exists == true, "table \(table)")
                }
                let commands = try await database.scalar("SELECT count(*) FROM bot_commands WHERE bot = 'uk'", as: Int.self)
                #expect(commands == 17, "0001 seeds 16 commands and 0002 adds /admin")
                let targets = try await database.scalar(
                    "SELECT string_agg(command || '=' || target, ',' ORDER BY sort_order) FROM bot_commands WHERE target LIKE 'builtin:%'",
                    as: String.self
                )
                #expect(targets == "start=builtin:start,help=builtin:help,menu=builtin:menu,cancel=builtin:cancel,admin=builtin:admin,settings=builtin:settings,broadcast=builtin:broadcast,status=builtin:status")
                let untranslated = try await database.scalar(
                    "SELECT count(*) FROM bot_commands WHERE NOT descriptions ?& array['en', 'ru', 'uz']",
                    as: Int.self
                )
                #expect(untranslated == 0)
                let checksum = try await database.scalar("SELECT checksum FROM schema_migrations WHERE name = '0001_initial.sql'", as: String.self)
                #expect(checksum?.count == 64)

                let status = try await migrator.status()
                #expect(status.count == shipped.count)
                for entry in status {
                    guard case .applied = entry.state else {
                        Issue.record("expected applied, got \(entry)")
                        return
                    }
                }
            }
        }
    }

    @Test func runningAgainAppliesNothing() async throws {
        try await TestDatabase.withMigrated { database in
            let before = try await database.scalar("SELECT max(applied_at) FROM schema_migrations", as: Date.self)
            #expect(try await self.migrator(database).up() == [])
            #expect(try await database.scalar("SELECT count(*) FROM schema_migrations", as: Int.self) == (try self.shipped.count))
            #expect(try await database.scalar("SELECT max(applied_at) FROM schema_migrations", as: Date.self) == before)
        }
    }

    @Test func anEditedAppliedFileIsRefusedByName() async throws {
        let directory = try self.migrationsCopy()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withEmpty { configuration in
            try await Database.withRunning(configuration: configuration, logger: self.logger) { database in
                try await self.migrator(database, directory: directory).up()
                let path = "\(directory)/0001_initial.sql"
                try (try String(contentsOfFile: path, encoding: .utf8) + "\n-- an innocent-looking edit\n")
                    .write(toFile: path, atomically: true, encoding: .utf8)

                let error = await #expect(throws: PersistenceError.self) {
                    try await self.migrator(database, directory: directory).up()
                }
                #expect(error?.code == .migrationChanged)
                #expect(error?.message.contains("0001_initial.sql") == true)
                #expect(try await self.migrator(database, directory: directory).status().first?.state == .changed)
            }
        }
    }

    @Test func aMissingAppliedFileIsRefusedByName() async throws {
        let directory = try self.migrationsCopy(extra: ["0090_extra.sql": "CREATE TABLE extra (id integer PRIMARY KEY);"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withEmpty { configuration in
            try await Database.withRunning(configuration: configuration, logger: self.logger) { database in
                #expect(try await self.migrator(database, directory: directory).up() == (try self.shipped) + ["0090_extra.sql"])
                try FileManager.default.removeItem(atPath: "\(directory)/0090_extra.sql")

                let error = await #expect(throws: PersistenceError.self) {
                    try await self.migrator(database, directory: directory).up()
                }
                #expect(error?.code == .migrationMissing)
                #expect(error?.message.contains("0090_extra.sql") == true)
                #expect(try await self.migrator(database, directory: directory).status().map(\.name) == (try self.shipped) + ["0090_extra.sql"])
            }
        }
    }

    @Test func aPendingFileSortingBeforeAnAppliedOneIsRefused() async throws {
        let directory = try self.migrationsCopy(extra: ["0092_later.sql": "CREATE TABLE later (id integer);"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withEmpty { configuration in
            try await Database.withRunning(configuration: configuration, logger: self.logger) { database in
                try await self.migrator(database, directory: directory).up()
                try "CREATE TABLE earlier (id integer);".write(toFile: "\(directory)/0091_earlier.sql", atomically: true, encoding: .utf8)

                let error = await #expect(throws: PersistenceError.self) {
                    try await self.migrator(database, directory: directory).up()
                }
                #expect(error?.code == .migrationOutOfOrder)
                #expect(error?.message.contains("0091_earlier.sql") == true)
                #expect(error?.message.contains("0092_later.sql") == true)
            }
        }
    }

    @Test func aFailingFileIsRolledBackAndNotRecorded() async throws {
        let directory = try self.migrationsCopy(extra: [
            "0090_broken.sql": "CREATE TABLE half_done (id integer);\nSELECT * FROM no_such_table;",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withEmpty { configuration in
            try await Database.withRunning(configuration: configuration, logger: self.logger) { database in
                let error = await #expect(throws: PersistenceError.self) {
                    try await self.migrator(database, directory: directory).up()
                }
                #expect(error?.code == .migrationFailed)
                #expect(error?.message.contains("0090_broken.sql") == true)
                #expect(error?.message.contains("no_such_table") == true)
                let halfDoneGone = try await database.scalar("SELECT to_regclass('half_done') IS NULL", as: Bool.self)
                #expect(halfDoneGone == true)
                let recorded = try await database.scalar("SELECT array_agg(name ORDER BY name)::text FROM schema_migrations", as: String.self)
                #expect(recorded == "{\((try self.shipped).joined(separator: ","))}")
            }
        }
    }

    @Test func twoMigratorsAtOnceApplyEachFileOnce() async throws {
        let directory = try self.migrationsCopy(extra: [
            // Slow enough that the second migrator surely arrives while the first holds the lock.
            "0090_slow.sql": "SELECT pg_sleep(0.3);\nCREATE TABLE slow (id integer);",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withEmpty { configuration in
            let files = try MigrationFile.load(directory: directory)
            let logger = self.logger
            async let first = Database.withRunning(configuration: configuration, logger: logger) { database in
                try await Migrator(database: database, files: files, logger: logger).up()
            }
            async let second = Database.withRunning(configuration: configuration, logger: logger) { database in
                try await Migrator(database: database, files: files, logger: logger).up()
            }
            let applied = try await [first, second]
            #expect(applied.flatMap { $0 }.sorted() == (try self.shipped) + ["0090_slow.sql"])

            let recorded = try await Database.withRunning(configuration: configuration, logger: logger) { database in
                try await database.scalar("SELECT count(*) FROM schema_migrations", as: Int.self)
            }
            #expect(recorded == (try self.shipped.count) + 1)
        }
    }
}
