import Foundation
import TelegramBotAPI
import TelegramEmulator
import GatewayTestSupport
import Testing

/// Issue 5 through the real process: `kill -9` of `bot-gateway serve` in the
/// middle of a step, then a new process with the same environment. Every
/// update acknowledged with 200 is handled, and the request is created once.
@Suite("UK bot end to end: SIGKILL and restart", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct CrashRecoveryTests {
    @Test("kill -9 during Confirm and after a burst is acknowledged; the restarted gateway finishes everything once")
    func killDuringAStep() async throws {
        // The lease expires 2 s after the dead process's last renewal; few
        // workers so the burst is still queued when the process dies.
        let environment = ["REDIS_LEASE_TIMEOUT": "2", "DISPATCHER_CONCURRENCY": "4"]
        try await BotWorld.run(.init(environment: environment)) { world in
            let user = world.privateUser(id: 8001, firstName: "Gul")
            try await RequestFlow.drive(user, to: "confirm")
            let first = try #require(world.gateway)
            let lease = world.keys.conversation(user.conversation, of: .single).lease

            // Confirm, with the request service slow to answer: the step is in flight.
            world.services.delayNext(1, of: .createRequest, by: .seconds(4))
            let seen = world.telegram.lastSequence(inChat: user.chatID)
            let confirm = try user.user.press(user.text("button.confirm"))
            try await waitUntil("a dispatcher to take the Confirm step") {
                let holder = try await world.redis.send(["GET", .string(lease)]).string
                return holder != nil && holder != "ready"
            }

            // A burst to many new users, each logging in slowly, all acknowledged before the kill.
            world.services.setLatency(.milliseconds(500), for: .authTelegram)
            let burst = (0..<40).map { world.privateUser(id: 8100 + Int64($0), firstName: "Burst") }
            let updates = burst.map { $0.user.sendCommand("start") } + [confirm]
            let acknowledged = Set(updates.map(\.updateID))
            try await waitUntil("the webhook to acknowledge every update") {
                let succeeded = Set(world.telegram.webhookDeliveries.filter(\.succeeded).map(\.updateID))
                return acknowledged.isSubset(of: succeeded)
            }

            try await first.kill()
            let answeredBeforeKill = burst.filter { !world.telegram.botEvents(inChat: $0.chatID).isEmpty }.count
            #expect(answeredBeforeKill < burst.count, "the process died with work left: \(answeredBeforeKill) of \(burst.count) answered")
            #expect(world.telegram.lastSequence(inChat: user.chatID) == seen, "Confirm was not answered before the kill")
            world.services.setLatency(nil, for: .authTelegram)

            try await world.startGateway()

            // Confirm's effect happened once, and the user was told.
            let created = try await world.telegram.waitForBotMessage(chat: user.chatID, after: seen, timeout: .seconds(45))
            #expect(created.text == user.withMenu(user.text("request.created", ["number": "R-000001"])))
            // The attempt the kill cut off reaches the service too, when its delay ends: two posts, one key, one creation.
            try await waitUntil("the attempt cut off by the kill to be answered") {
                world.services.calls(.createRequest).count == 2
            }
            let keys = Set(world.services.calls(.createRequest).compactMap(\.idempotencyKey))
            #expect(keys.count == 1, "the restarted gateway repeated the call with the same key: \(keys)")
            for key in keys {
                #expect(world.services.creationCount(idempotencyKey: key) == 1)
            }
            #expect(world.services.requestCount == 1)

            // Every acknowledged update of the burst is answered.
            for member in burst {
                let greeting = try await world.telegram.waitForBotMessage(chat: member.chatID, after: 0, timeout: .seconds(45))
                #expect(greeting.text == member.text("menu.greeting", ["name": "Burst"]))
            }
            let logins = Set(world.services.calls(.authTelegram).compactMap { $0.body?["telegram_id"]?.intValue })
            #expect(logins.isSuperset(of: burst.map(\.id)))
        }
    }
}
