import ForwardBot
import Foundation
import Gateway
import GatewayTestSupport
import Synchronization
import TelegramEmulator
import Testing

/// Forward bots end to end: the assembled gateway in process over Redis,
/// updates delivered by the fake Telegram to the webhook, a backend that
/// verifies every signature, and the replies as Telegram received them.
@Suite("Forward bots end to end", .serialized, .timeLimit(.minutes(3)))
struct ForwardEndToEndTests {
    @Test("updates reach the backend signed, in order per conversation, while conversations run in parallel")
    func orderPerConversation() async throws {
        try await ForwardWorld.run(respond: { call, _ in
            // Uneven latency, so a conversation's next update would overtake a slow one if order slipped.
            try? await Task.sleep(for: .milliseconds(Int.random(in: 0...30)))
            return call.reply("echo \(call.text ?? "")")
        }) { world in
            let users = (1...6).map { world.user(Int64(9100 + $0)) }
            for round in 1...5 {
                for user in users {
                    user.send("m\(round)")
                }
            }
            for user in users {
                let texts = try await world.texts(inChat: user.chat.id, count: 5)
                #expect(texts == (1...5).map { "echo m\($0)" }, "chat \(user.chat.id)")
            }
            let calls = world.backend.calls
            #expect(calls.count == 30, "one call per update, none refused for its signature")
            for user in users {
                let seen = calls.filter { $0.conversation == "\(user.chat.id)" }.compactMap(\.text)
                #expect(seen == (1...5).map { "m\($0)" }, "the backend saw chat \(user.chat.id)'s updates in order")
            }
            #expect(Set(calls.compactMap { $0.header("Idempotency-Key") }).count == 30)
            #expect(calls.allSatisfy { $0.header("X-Gateway-Bot") == "shop" })
            #expect(world.backend.maxInFlight > 1, "different conversations were handled at once")
            #expect(try await world.deadLetters().isEmpty)
        }
    }

    @Test("a transient failure is retried with the same Idempotency-Key until it succeeds, and answered once")
    func retriesThenSuccess() async throws {
        try await ForwardWorld.run(respond: { call, index in
            index < 2 ? .json(#"{"error":"busy"}"#, status: 503) : call.reply("done")
        }) { world in
            let user = world.user(9201)
            user.send("hello")
            #expect(try await world.texts(inChat: user.chat.id, count: 1) == ["done"])
            let calls = world.backend.calls
            #expect(calls.count == 3)
            #expect(Set(calls.compactMap { $0.header("Idempotency-Key") }).count == 1)
            #expect(calls.compactMap { $0.header("X-Gateway-Delivery")?.split(separator: ":").last.map(String.init) } == ["1", "2", "3"])
            try await Task.sleep(for: .milliseconds(300))
            #expect(world.telegram.botEvents(inChat: user.chat.id).count == 1, "answered once")
        }
    }

    @Test("a permanent 4xx makes a dead letter at once, and the conversation moves on")
    func permanentRefusal() async throws {
        try await ForwardWorld.run(respond: { call, _ in
            call.text == "bad" ? .json(#"{"error":"no"}"#, status: 422) : call.reply("ok \(call.text ?? "")")
        }) { world in
            let user = world.user(9301)
            user.send("bad")
            user.send("good")
            #expect(try await world.texts(inChat: user.chat.id, count: 1) == ["ok good"])
            #expect(world.backend.calls.filter { $0.text == "bad" }.count == 1, "a 4xx is not retried")
            let letters = try await world.deadLetters()
            #expect(letters.count == 1)
            #expect(letters.first?.reason == .rejected)
            #expect(letters.first?.conversation == "9301")
            #expect(letters.first?.update.contains(#""text":"bad""#) == true, "the dead letter keeps the update as Telegram sent it")
        }
    }

    @Test("attempts run out: a dead letter, and the next update is handled")
    func attemptsExhausted() async throws {
        var options = ForwardWorld.Options()
        options.attempts = 3
        try await ForwardWorld.run(options, respond: { call, _ in
            call.text == "poison" ? .json("{}", status: 500) : call.reply("ok")
        }) { world in
            let user = world.user(9401)
            user.send("poison")
            user.send("fine")
            let texts = try await world.texts(inChat: user.chat.id, count: 1)
            #expect(texts == ["ok"])
            #expect(world.backend.calls.filter { $0.text == "poison" }.count == 3)
            let reasons = try await world.deadLetters().map(\.reason)
            #expect(reasons == [.exhausted])
        }
    }

    @Test("the backend's state comes back with the conversation's next update; null clears it")
    func stateRoundTrip() async throws {
        try await ForwardWorld.run(respond: { call, _ in
            let state = call.json()["state"] as? [String: Any]
            let count = (state?["count"] as? Int ?? 0) + 1
            if call.text == "reset" {
                return call.reply("reset", state: "null")
            }
            return call.reply("count \(count)", state: #"{"count":\#(count),"note":"kept as sent"}"#)
        }) { world in
            let user = world.user(9501)
            for text in ["a", "b", "reset", "c"] {
                user.send(text)
            }
            let texts = try await world.texts(inChat: user.chat.id, count: 4)
            #expect(texts == ["count 1", "count 2", "reset", "count 1"])
            let states = world.backend.calls.map { $0.json()["state"] }
            #expect(states[0] is NSNull)
            #expect((states[1] as? [String: Any])?["note"] as? String == "kept as sent")
            #expect(states[3] is NSNull, "null cleared the state")
        }
    }

    @Test("a backend down for 30 s loses nothing: the breaker holds the updates, then they go through in order")
    func backendDownThirtySeconds() async throws {
        let downUntil = ContinuousClock.now + .seconds(30)
        var options = ForwardWorld.Options()
        options.kind = ForwardBotKind()  // the contract's defaults: 5 attempts, the breaker opens after 3 failures for 30 s
        try await ForwardWorld.run(options, respond: { call, _ in
            ContinuousClock.now < downUntil ? .json(#"{"error":"down"}"#, status: 503) : call.reply("back: \(call.text ?? "")")
        }) { world in
            let first = world.user(9601)
            let second = world.user(9602)
            first.send("one")
            first.send("two")
            try await Task.sleep(for: .seconds(5))
            second.send("three")
            #expect(try await world.texts(inChat: first.chat.id, count: 2, timeout: .seconds(75)) == ["back: one", "back: two"])
            #expect(try await world.texts(inChat: second.chat.id, count: 1, timeout: .seconds(20)) == ["back: three"])
            #expect(try await world.deadLetters().isEmpty)
            let failed = world.backend.calls.filter { $0.text == "three" }.count
            #expect(failed <= 2, "an update arriving while the breaker is open waits instead of spending its attempts")
        }
    }
}
