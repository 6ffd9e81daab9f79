import Foundation
import GatewayTestSupport
import Persistence
import PostgresNIO
import Testing

@Suite("Commands against PostgreSQL")
struct CommandCatalogTests {
    let logger = TestDatabase.logger

    @Test func loadsTheSeededUKCommandsInOrder() async throws {
        try await TestDatabase.withMigrated { database in
            let catalog = CommandCatalog(bot: "uk", repository: CommandRepository(database: database, logger: self.logger), logger: self.logger)
            try await catalog.refresh()
            #expect(catalog.commands.map(\.command) == [
                "start", "help", "menu", "language", "cancel", "create_request", "my_requests", "request_status",
                "my_shifts", "shift_schedule", "take_shift", "admin", "analytics", "users", "settings", "broadcast", "status",
            ])
            #expect(catalog.route(for: "start")?.target == .builtin("start"))
            #expect(catalog.route(for: "admin")?.requiredRoles == ["manager", "admin"])
            #expect(catalog.route(for: "users")?.target == .service("users.list"))
            let create = try #require(catalog.route(for: "create_request"))
            #expect(create.target == .flow("create_request"))
            #expect(create.descriptions["en"] == "Create a repair request")
            #expect(create.descriptions.keys.sorted() == ["en", "ru", "uz"])
            #expect(create.isAllowed(for: []))

            let analytics = try #require(catalog.route(for: "analytics"))
            #expect(analytics.requiredRoles == ["manager", "admin"])
            #expect(analytics.isAllowed(for: ["admin"]))
            #expect(!analytics.isAllowed(for: ["executor"]))
            #expect(catalog.route(for: "take_shift")?.requiredRoles == ["executor"])
            #expect(catalog.route(for: "my_requests")?.target == .service("requests.mine"))
        }
    }

    @Test func refreshPicksUpUpdatesAndDisabledCommands() async throws {
        try await TestDatabase.withMigrated { database in
            let repository = CommandRepository(database: database, logger: self.logger)
            let catalog = CommandCatalog(bot: "uk", repository: repository, logger: self.logger)
            try await catalog.refresh()
            #expect(try await catalog.refreshIfChanged() == false)

            let before = try #require(catalog.route(for: "help")).updatedAt
            try await database.client.query(
                """
                UPDATE bot_commands SET descriptions = jsonb_set(descriptions, '{en}', '"What can I do?"')
                WHERE bot = 'uk' AND command = 'help'
                """,
                logger: self.logger
            )
            #expect(try await catalog.refreshIfChanged() == true)
            let help = try #require(catalog.route(for: "help"))
            #expect(help.descriptions["en"] == "What can I do?")
            #expect(help.updatedAt > before, "the trigger moves updated_at")

            #expect(try await repository.setEnabled(false, bot: "uk", command: "broadcast"))
            #expect(try await repository.setEnabled(false, bot: "uk", command: "no_such_command") == false)
            #expect(try await catalog.refreshIfChanged() == true)
            // A disabled command stays in the catalog, so it is still routed (to "not available") and its roles checked.
            #expect(catalog.route(for: "broadcast")?.isEnabled == false)
            #expect(catalog.route(for: "broadcast")?.requiredRoles == ["admin"])
            #expect(catalog.commands.filter(\.isEnabled).count == 16)
        }
    }

    @Test func theServiceReloadsWithinItsPollInterval() async throws {
        try await TestDatabase.withMigrated { database in
            let catalog = CommandCatalog(
                bot: "uk",
                repository: CommandRepository(database: database, logger: self.logger),
                pollInterval: .milliseconds(100),
                logger: self.logger
            )
            try await catalog.refresh()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await catalog.run() }
                try await database.client.query("DELETE FROM bot_commands WHERE bot = 'uk' AND command = 'status'", logger: self.logger)
                let reloaded = try await eventually { catalog.route(for: "status") == nil }
                #expect(reloaded)
                group.cancelAll()
            }
        }
    }
}
