import Foundation
import Gateway
import GatewayTestSupport
import TelegramEmulator
import Testing
import UKServiceFakes

/// `/status` through the real gateway: what it shows is true to the state,
/// **Refresh** edits it in place, and only admins get it.
@Suite("UK bot end to end: /status", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct StatusTests {
    static let admin = ServiceUser(id: "u-admin", telegramID: 7801, fullName: "Olga Admin", roles: ["admin"])

    @Test("an admin sees instances, queues, dead letters, Redis and PostgreSQL; Refresh edits the message with the new numbers; others are refused")
    func status() async throws {
        try await BotWorld.run(.init(environment: ["INSTANCE_ID": "status-test"], users: [Self.admin])) { world in
            let admin = world.privateUser(id: 7801, firstName: "Olga", languageCode: "ru")
            let resident = world.privateUser(id: 7802, firstName: "Aziz")
            #expect(try await resident.command("status").text == resident.text("error.forbidden"))

            // Wait for the first heartbeat, so the instance is listed, and for the
            // relay to forget the resident's answered conversation, so none is pending.
            try await waitUntil("the heartbeat") {
                try await world.redis.send(["ZCARD", .string(world.keys.instances.beats)]).int == 1
            }
            try await Self.waitForNoPendingReplies(world)
            let shown = try await admin.command("status")
            let lines = shown.text.split(separator: "\n").map(String.init)
            #expect(lines.first == admin.text("status.title"))
            #expect(lines.contains(admin.text("status.instances", ["count": .int(1)])))
            #expect(lines.contains { $0.hasPrefix("• status-test — ") && $0.hasSuffix(admin.text("status.this")) }, "\(lines)")
            let bot = BotID.single.name
            #expect(lines.contains(admin.text("status.bot", ["bot": .string(bot), "waiting": .int(0), "pending": .int(0), "dead": .int(0)])), "\(lines)")
            #expect(lines.contains(admin.text("status.up", ["name": "Redis"])))
            #expect(lines.contains(admin.text("status.up", ["name": "PostgreSQL"])))
            #expect(shown.buttonLabels == [[admin.text("button.refresh")]])

            // A dead letter appears; Refresh shows it, in place.
            try await RedisDeadLetterStore(client: world.redis, keyPrefix: world.keys.prefix).add(DeadLetter(
                bot: .single, conversation: "7802", updateID: 1, update: "{}", reason: .stepFailed, error: "test", attempts: 5))
            try await Self.waitForNoPendingReplies(world)
            let refreshed = try await admin.press(admin.text("button.refresh"))
            #expect(refreshed.kind == .edited)
            #expect(refreshed.message.messageID == shown.message.messageID)
            #expect(refreshed.text.contains(admin.text("status.bot", ["bot": .string(bot), "waiting": .int(0), "pending": .int(0), "dead": .int(1)])), "\(refreshed.text)")

            // Listed in /help and the admin menu, for admins only.
            #expect(try await admin.command("help").text.contains(admin.text("help.command.status")))
            #expect(try await !resident.command("help").text.contains(resident.text("help.command.status")))
            #expect(try await admin.command("admin").buttonLabels.joined().contains(admin.text("button.status")))
        }
    }

    /// The outbox set lists a conversation until a relay's poll finds its replies all sent.
    static func waitForNoPendingReplies(_ world: BotWorld) async throws {
        try await waitUntil("no conversation with replies pending") {
            try await world.redis.send(["ZCARD", .string(world.keys.bot(.single).outbox)]).int == 0
        }
    }

    @Test("PostgreSQL away shows as degraded, with the reason")
    func databaseAway() async throws {
        try await BotWorld.run(.init(users: [Self.admin], databaseAway: true)) { world in
            let admin = world.privateUser(id: 7801, firstName: "Olga")
            let text = try await admin.command("status").text
            #expect(text.split(separator: "\n").contains { $0.hasPrefix(admin.text("status.degraded", ["name": "PostgreSQL", "reason": ""])) }, "\(text)")
        }
    }
}
