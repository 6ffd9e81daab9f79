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

    @Test("activity across two instances, an open circuit with its failure rate, Telegram's 429s and the webhook, each as it is")
    func activity() async throws {
        let environment = [
            "SERVICE_CIRCUIT_FAILURES": "2", "SERVICE_ATTEMPTS": "1", "SERVICE_CIRCUIT_COOLDOWN": "600",
            // Faster than the fake Telegram allows one chat, so it answers 429 (which the sender honours).
            "TELEGRAM_CHAT_SENDS_PER_SECOND": "50",
        ]
        try await BotWorld.run(.init(environment: environment, users: [Self.admin], limits: .enforced)) { world in
            try await world.startGateway()
            let admin = world.privateUser(id: 7801, firstName: "Olga")
            let resident = world.privateUser(id: 7802, firstName: "Aziz")

            // The request service fails twice: the breaker opens.
            world.services.failNext(2, of: .listRequests, status: 500)
            for _ in 0..<2 {
                try await resident.command("my_requests")
            }
            // Five commands at once: replies faster than one a second to the chat draw 429s.
            let burst = (0..<5).map { _ in resident.user.sendCommand("help") }
            for update in burst {
                try await world.waitUntilHandled(update)
            }
            try await waitUntil("a 429 from Telegram") { world.telegram.tooManyRequestsCount > 0 }
            // Every reply out (the 429s are all in), then both instances beat their stats into Redis at least once more.
            try await Self.waitForNoPendingReplies(world)
            try await Task.sleep(for: .seconds(2))

            let text = try await admin.command("status").text
            let lines = text.split(separator: "\n").map(String.init)
            let activity = try #require(lines.first { $0.hasPrefix("Updates: ") }, "\(lines)")
            let perMinute = Double(activity.dropFirst("Updates: ".count).prefix { $0 != " " }) ?? 0
            #expect(activity.contains("p99 handling ≤ "), "\(activity)")
            #expect(perMinute * 5 == 7, "the resident's 7 updates before /status, on either instance: \(activity)")
            #expect(lines.contains { $0.hasPrefix(admin.text("status.service", [
                "name": "request", "circuit": .string(admin.text("status.circuit.open")), "failures": 2, "attempts": 2, "percent": 100,
            ])) }, "\(lines)")
            #expect(lines.contains(admin.text("status.rate_limited", ["count": .int(world.telegram.tooManyRequestsCount)])), "\(lines)")
            #expect(lines.contains(admin.text("status.webhook.ok", ["pending": 0])), "\(lines)")
        }
    }

    @Test("sending paused (the token refused): /status asked meanwhile says so and why, once its reply can go out")
    func sendingPaused() async throws {
        try await BotWorld.run(.init(users: [Self.admin])) { world in
            let admin = world.privateUser(id: 7801, firstName: "Olga")
            _ = try await admin.command("start")
            world.telegram.setTokenRevoked(true)
            // A reply refused with 401 pauses sending.
            let resident = world.privateUser(id: 7802, firstName: "Aziz")
            let help = Task { try await resident.command("help") }
            try await waitUntil("/ready to say why the bot cannot send", timeout: .seconds(15)) {
                try await world.ready().body.contains("the token was refused (401)")
            }
            // /status is handled now, while paused; its reply waits, then goes out.
            let status = Task { try await admin.command("status") }
            try await Task.sleep(for: .seconds(2))
            world.telegram.setTokenRevoked(false)
            let text = try await status.value.text
            _ = try await help.value
            #expect(text.contains(admin.text("status.sending_paused", ["reason": ""])), "\(text)")
            #expect(text.contains("401"), "\(text)")
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
