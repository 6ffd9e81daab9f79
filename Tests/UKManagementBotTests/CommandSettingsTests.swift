import Foundation
import Logging
import Persistence
import TelegramEmulator
import Testing
import UKManagementBot

/// An edit of `bot_commands` (as `/settings` or an admin by hand makes it)
/// takes effect on every instance within the catalog's poll interval: a
/// disabled command answers "not available" to everyone, and its role check
/// holds whether it is enabled or not.
@Suite("UK bot end to end: enabling and disabling commands", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct CommandSettingsTests {
    @Test("disabling /users refuses it to everyone; re-enabling restores the role check; both instances follow")
    func disableAndEnable() async throws {
        try await BotWorld.run(.init(environment: ["ADMIN_USER_IDS": "7703"])) { world in
            // A second instance over the same Redis and database; the webhook now points at it,
            // and either instance may handle an update.
            try await world.startGateway()
            let applicant = world.privateUser(id: 7701, firstName: "Aziz")
            let admin = world.privateUser(id: 7703, firstName: "Olga")

            #expect(try await applicant.command("users").text == applicant.text("error.forbidden"))
            #expect(try await admin.command("users").text.hasPrefix(admin.text("users.title", ["total": 2, "page": 1, "pages": 1])))

            try await Self.setEnabled(false, "users", world)
            let unavailable = admin.text("common.unavailable", ["command": "users"])
            try await Self.eventuallyAnswered(admin, "users", unavailable)
            #expect(try await applicant.command("users").text == applicant.text("error.forbidden"), "a disabled command keeps its role check")
            for _ in 0..<2 {
                #expect(try await admin.command("users").text == unavailable, "every instance refuses the disabled command")
            }

            try await Self.setEnabled(true, "users", world)
            try await Self.eventuallyAnswered(admin, "users", admin.text("users.title", ["total": 2, "page": 1, "pages": 1]), prefix: true)
            #expect(try await applicant.command("users").text == applicant.text("error.forbidden"), "re-enabled, the role check holds")
        }
    }

    @Test("/admin is role-gated by its row")
    func adminIsChecked() async throws {
        try await BotWorld.run { world in
            let applicant = world.privateUser(id: 7711, firstName: "Aziz")
            let answer = try await applicant.command("admin")
            #expect(answer.text == applicant.text("error.forbidden"))
        }
    }

    private static func setEnabled(_ enabled: Bool, _ command: String, _ world: BotWorld) async throws {
        let changed = try await world.database.withDatabase { database in
            try await CommandRepository(database: database, logger: ScratchDatabase.logger).setEnabled(enabled, bot: UKCommands.catalogName, command: command)
        }
        #expect(changed)
    }

    /// Sends `/command` until the answer is `expected` (the catalogs poll every 2 s), at most 15 s.
    private static func eventuallyAnswered(_ user: Chatter, _ command: String, _ expected: String, prefix: Bool = false) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            let text = try await user.command(command).text
            if prefix ? text.hasPrefix(expected) : text == expected { return }
            guard ContinuousClock.now < deadline else {
                Issue.record("/\(command) still answered \"\(text)\" after 15 s")
                return
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}
