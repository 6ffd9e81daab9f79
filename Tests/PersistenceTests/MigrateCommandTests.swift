import Foundation
import GatewayTestSupport
import Persistence
import Testing

/// Runs the real `bot-gateway migrate …` as a child process.
@Suite("bot-gateway migrate")
struct MigrateCommandTests {
    typealias Output = ExternalCommand.Output

    static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bot-gateway").path
    }

    static func run(_ arguments: [String], environment: [String: String]) async throws -> Output {
        try await ExternalCommand.output(Self.executable, ["migrate"] + arguments, environment: environment)
    }

    @Test func statusUpAndAnEditedFile() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build bot-gateway first: swift build")
        try await TestDatabase.withEmpty { configuration in
            let environment = ["DATABASE_URL": TestDatabase.url(configuration)]
            let directory = ["--directory", TestDatabase.migrationsDirectory]

            let shipped = try MigrationFile.load(directory: TestDatabase.migrationsDirectory).map(\.name)
            let pending = try await Self.run(["status"] + directory, environment: environment)
            #expect(pending.status == 0, "\(pending.standardError)")
            #expect(pending.standardOutput == shipped.map { "pending  \($0)\n" }.joined())

            let up = try await Self.run(["up"] + directory, environment: environment)
            #expect(up.status == 0, "\(up.standardError)")
            #expect(up.standardOutput == shipped.map { "applied  \($0)\n" }.joined())

            let again = try await Self.run(["up"] + directory, environment: environment)
            #expect(again.standardOutput == "up to date\n")

            // MIGRATIONS_DIR names the folder when --directory is not given.
            let edited = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-cli-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: edited, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: edited) }
            for name in shipped {
                try FileManager.default.copyItem(atPath: "\(TestDatabase.migrationsDirectory)/\(name)", toPath: "\(edited)/\(name)")
            }
            let original = try String(contentsOfFile: "\(TestDatabase.migrationsDirectory)/0001_initial.sql", encoding: .utf8)
            try (original + "\n-- edited\n").write(toFile: "\(edited)/0001_initial.sql", atomically: false, encoding: .utf8)
            var editedEnvironment = environment
            editedEnvironment["MIGRATIONS_DIR"] = edited

            let refused = try await Self.run(["up"], environment: editedEnvironment)
            #expect(refused.status == 1)
            #expect(refused.standardError.contains("migrationChanged: 0001_initial.sql was applied but has changed"))
            let status = try await Self.run(["status"], environment: editedEnvironment)
            #expect(status.status == 1)
            #expect(status.standardOutput.hasPrefix("CHANGED  0001_initial.sql"))
        }
    }

    /// The binary copied alone into an empty folder and started from another one: the
    /// migrations it applies are the ones built into it.
    @Test func theBinaryCopiedAloneAppliesItsBuiltInMigrations() async throws {
        let lone = try LoneBinary.make()
        defer { lone.remove() }
        try await TestDatabase.withEmpty { configuration in
            let shipped = try MigrationFile.load(directory: TestDatabase.migrationsDirectory).map(\.name)
            let up = try await ExternalCommand.output(
                lone.executable, ["migrate", "up"], environment: ["DATABASE_URL": TestDatabase.url(configuration)], currentDirectory: lone.elsewhere)
            #expect(up.status == 0, "\(up.standardError)")
            #expect(up.standardOutput == shipped.map { "applied  \($0)\n" }.joined())
        }
    }

    @Test func aBadURLIsOneLineWithoutThePassword() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build bot-gateway first: swift build")
        let output = try await Self.run(["up"], environment: ["DATABASE_URL": "postgres://gateway:do-not-print@127.0.0.1:70000/db"])
        #expect(output.status == 1)
        #expect(output.standardError.contains("DATABASE_URL: the port \"70000\" is not a number from 1 to 65535"))
        #expect(!output.standardError.contains("do-not-print"))
    }
}
