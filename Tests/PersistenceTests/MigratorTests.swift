import Foundation
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

    func migrator(_ database: Database, directory: String = TestDatabase.migrationsDirectory) throws -> Migrator {
        Migrator(database: database, files: try MigrationFile.load(directory: directory), logger: self.logger)
    }

    @Test func freshDatabaseGetsEveryTableAndTheUKCommands() async throws {
        try await TestDatabase.withEmpty { configuration in
            try await Database.withRunning(configuration: configuration, logger: self.logger) { database in
                let migrator = try self.migrator(database)
                #expect(try await migrator.status().map(\.state) == [.pending])

                #expect(try await migrator.up() == ["0001_initial.sql"])

                for table in ["bot_sessions", "bot_commands", "inline_keyboard_cache", "bot_metrics", "bot_metrics_hourly", "bot_metrics_daily", "schema_migrations"] {
                    let exists = try await database.scalar("SELECT to_regclass(\(table)) IS NOT NULL", as: Bool.self)
                    #expect(exists == true, "table \(table)")
                }
                let commands = try await database.scalar("SELECT count(*) FROM bot_commands WHERE bot = 'uk'", as: Int.self)
                #expect(commands == 16)
                let untranslated = try await database.scalar(
                    "SELECT count(*) FROM bot_commands WHERE NOT descriptions ?& array['en', 'ru', 'uz']",
                    as: Int.self
                )
                #expect(untranslated == 0)
                let checksum = try await database.scalar("SELECT checksum FROM schema_migrations WHERE name = '0001_initial.sql'", as: String.self)
                #expect(checksum?.count == 64)

                let status = try await migrator.status()
                #expect(status.count == 1)
                guard case .applied = status.first?.state else {
                    Issue.record("expected applied, got \(String(describing: status.first))")
                    return
                }
            }
        }
    }

    @Test func runningAgainAppliesNothing() async throws {
        try await TestDatabase.withMigrated { database in
            let before = try await database.scalar("SELECT applied_at FROM schema_migrations", as: Date.self)
            #expect(try await self.migrator(database).up() == [])
            #expect(try await database.scalar("SELECT count(*) FROM schema_migrations", as: Int.self) == 1)
            #expect(try await database.scalar("SELECT applied_at FROM schema_migrations", as: Date.self) == before)
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
                #expect(try await self.migrator(database, directory: directory).status().map(\.state) == [.changed])
            }
        }
    }

    @Test func aMissingAppliedFileIsRefusedByName() async throws {
        let directory = try self.migrationsCopy(extra: ["0002_extra.sql": "CREATE TABLE extra (id integer PRIMARY KEY);"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withEmpty { configuration in
            try await Database.withRunning(configuration: configuration, logger: self.logger) { database in
                #expect(try await self.migrator(database, directory: directory).up() == ["0001_initial.sql", "0002_extra.sql"])
                try FileManager.default.removeItem(atPath: "\(directory)/0002_extra.sql")

                let error = await #expect(throws: PersistenceError.self) {
                    try await self.migrator(database, directory: directory).up()
                }
                #expect(error?.code == .migrationMissing)
                #expect(error?.message.contains("0002_extra.sql") == true)
                #expect(try await self.migrator(database, directory: directory).status().map(\.name) == ["0001_initial.sql", "0002_extra.sql"])
            }
        }
    }

    @Test func aPendingFileSortingBeforeAnAppliedOneIsRefused() async throws {
        let directory = try self.migrationsCopy(extra: ["0003_later.sql": "CREATE TABLE later (id integer);"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withEmpty { configuration in
            try await Database.withRunning(configuration: configuration, logger: self.logger) { database in
                try await self.migrator(database, directory: directory).up()
                try "CREATE TABLE earlier (id integer);".write(toFile: "\(directory)/0002_earlier.sql", atomically: true, encoding: .utf8)

                let error = await #expect(throws: PersistenceError.self) {
                    try await self.migrator(database, directory: directory).up()
                }
                #expect(error?.code == .migrationOutOfOrder)
                #expect(error?.message.contains("0002_earlier.sql") == true)
                #expect(error?.message.contains("0003_later.sql") == true)
            }
        }
    }

    @Test func aFailingFileIsRolledBackAndNotRecorded() async throws {
        let directory = try self.migrationsCopy(extra: [
            "0002_broken.sql": "CREATE TABLE half_done (id integer);\nSELECT * FROM no_such_table;",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withEmpty { configuration in
            try await Database.withRunning(configuration: configuration, logger: self.logger) { database in
                let error = await #expect(throws: PersistenceError.self) {
                    try await self.migrator(database, directory: directory).up()
                }
                #expect(error?.code == .migrationFailed)
                #expect(error?.message.contains("0002_broken.sql") == true)
                #expect(error?.message.contains("no_such_table") == true)
                let halfDoneGone = try await database.scalar("SELECT to_regclass('half_done') IS NULL", as: Bool.self)
                #expect(halfDoneGone == true)
                let recorded = try await database.scalar("SELECT array_agg(name)::text FROM schema_migrations", as: String.self)
                #expect(recorded == "{0001_initial.sql}")
            }
        }
    }

    @Test func twoMigratorsAtOnceApplyEachFileOnce() async throws {
        let directory = try self.migrationsCopy(extra: [
            // Slow enough that the second migrator surely arrives while the first holds the lock.
            "0002_slow.sql": "SELECT pg_sleep(0.3);\nCREATE TABLE slow (id integer);",
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
            #expect(applied.flatMap { $0 }.sorted() == ["0001_initial.sql", "0002_slow.sql"])

            let recorded = try await Database.withRunning(configuration: configuration, logger: logger) { database in
                try await database.scalar("SELECT count(*) FROM schema_migrations", as: Int.self)
            }
            #expect(recorded == 2)
        }
    }
}
