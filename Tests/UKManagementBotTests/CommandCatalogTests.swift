import Foundation
import Gateway
import Localization
import Persistence
import Testing
import UKManagementBot

@Suite("UK bot: commands and catalogs")
struct UKCommandCatalogTests {
    @Test("the built-in routes (used without PostgreSQL) equal the rows 0001_initial.sql seeds")
    func builtInRoutesMatchTheSeed() async throws {
        let database = try await ScratchDatabase.create()
        do {
            let seeded = try await database.withDatabase { db in
                let files = try MigrationFile.load(directory: BotWorld.repository.appendingPathComponent("Migrations").path)
                _ = try await Migrator(database: db, files: files, logger: ScratchDatabase.logger).up()
                return try await CommandRepository(database: db, logger: ScratchDatabase.logger).commands(bot: UKCommands.catalogName)
            }
            func shape(_ routes: [CommandRoute]) -> [String] {
                routes.map { "\($0.command) \($0.target) \($0.requiredRoles.sorted()) \($0.sortOrder)" }
            }
            #expect(shape(seeded) == shape(UKCommands.defaultRoutes))
        } catch {
            try? await database.drop()
            throw error
        }
        try await database.drop()
    }

    @Test("the flows pass validation against the real catalogs, and every menu is worded in every locale")
    func flowsAndMenus() throws {
        let catalogs = try Catalogs.load(directory: BotWorld.repository.appendingPathComponent("locales"))
        try UKBot.flows.validate { key in catalogs.locales(missing: key).map(\.identifier) }
        let menus = UKCommands.menus(directory: StaticCommandDirectory(UKCommands.defaultRoutes), catalogs: catalogs)
        #expect(menus.count == catalogs.locales.count + 1)
        for menu in menus {
            #expect(menu.commands.map(\.command) == ["start", "help", "menu", "language", "cancel", "create_request", "my_requests", "request_status"])
            #expect(menu.commands.allSatisfy { !$0.description.hasPrefix("help.command.") })
        }
        let russian = try #require(menus.first { $0.languageCode == "ru" })
        #expect(russian.commands.first?.description == catalogs.text("help.command.start", locale: try #require(LocaleCode("ru"))))
    }
}
