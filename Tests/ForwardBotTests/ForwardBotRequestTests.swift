import ForwardBot
import Foundation
import Gateway
import TelegramBotAPI
import Testing

/// What the backend receives: the contract's headers, a signature it can
/// verify, and the body with the update verbatim.
@Suite("ForwardBot request")
struct ForwardBotRequestTests {
    @Test func sendsTheContractsHeadersAndBody() async throws {
        try await TestBackend.with(respond: { _, _ in .json("{}") }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let bot = ForwardBot(configuration: TestBot.configuration(url: url), httpClient: http, deadLetters: store, logger: TestBot.logger)
                let (update, raw) = try TestBot.update(id: 7)
                let outcome = try await bot.handle(update, context: TestBot.context(update, raw: raw, locale: "uz"))

                #expect(outcome.replies.isEmpty && outcome.state == .keep)
                #expect(store.letters.isEmpty, "the backend verified the signature")
                let call = try #require(backend.calls.first)
                #expect(backend.calls.count == 1)
                #expect(call.header("Content-Type") == "application/json")
                #expect(call.header("X-Gateway-Bot") == "shop")
                #expect(call.header("X-Gateway-Delivery") == "shop:7:1")
                #expect(call.header("Idempotency-Key") == "shop:7")
                let signature = try #require(call.header("X-Gateway-Signature"))
                #expect(signature.wholeMatch(of: /t=\d+,v1=[0-9a-f]{64}/) != nil)
                #expect(!signature.contains(TestBot.secret))

                // The update exactly as Telegram sent it, spacing and unknown fields included.
                #expect(call.body.starts(with: Array(#"{"update":"#.utf8) + raw + Array(#","conversation":"#.utf8)))
                let json = call.json()
                #expect(json["conversation"] as? String == "123456789")
                #expect(json["locale"] as? String == "uz")
                #expect(json["state"] is NSNull)
                #expect((json["update"] as? [String: Any])?["update_id"] as? Int == 7)
            }
        }
    }

    @Test func sendsTheStoredStateAsJSON() async throws {
        try await TestBackend.with(respond: { _, _ in .json("") }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url), httpClient: http, deadLetters: InMemoryDeadLetterStore(), logger: TestBot.logger)
                let (update, raw) = try TestBot.update()
                let state = Array(#"{"step": "ask_name", "n": [1, 2.5]}"#.utf8)
                _ = try await bot.handle(update, context: TestBot.context(update, raw: raw, state: state))

                let call = try #require(backend.calls.first)
                #expect(call.body.suffix(state.count + 10) == ArraySlice(Array(#","state":"#.utf8) + state + Array("}".utf8)))
                let sent = try #require(call.json()["state"] as? [String: Any])
                #expect(sent["step"] as? String == "ask_name")
            }
        }
    }

    @Test func escapesTheConversationAndLocale() async throws {
        try await TestBackend.with(respond: { _, _ in .json("{}") }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url), httpClient: http, deadLetters: InMemoryDeadLetterStore(), logger: TestBot.logger)
                let (update, raw) = try TestBot.update()
                _ = try await bot.handle(update, context: TestBot.context(update, raw: raw, locale: "u\"z\\\n"))
                #expect(try #require(backend.calls.first).json()["locale"] as? String == "u\"z\\\n")
            }
        }
    }

    @Test func encodesAnUpdateBuiltInProcess() async throws {
        try await TestBackend.with(respond: { _, _ in .json("{}") }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url), httpClient: http, deadLetters: InMemoryDeadLetterStore(), logger: TestBot.logger)
                let (update, _) = try TestBot.update(id: 42)
                _ = try await bot.handle(update, context: TestBot.context(update, raw: []))
                let call = try #require(backend.calls.first)
                let sent = try #require(call.json()["update"] as? [String: Any])
                let reencoded = try JSONSerialization.data(withJSONObject: sent)
                #expect(try Update.decode(from: reencoded) == update)
            }
        }
    }

    @Test func aStaleSignatureIsRefusedByTheBackend() async throws {
        try await TestBackend.with(respond: { _, _ in .json("{}") }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let timing = TestTiming(wallClock: { Date().addingTimeInterval(-301) })
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url), httpClient: http, deadLetters: store, logger: TestBot.logger,
                    timing: timing.timing)
                let (update, raw) = try TestBot.update()
                _ = try await bot.handle(update, context: TestBot.context(update, raw: raw))
                #expect(backend.calls.count == 1)
                #expect(store.letters.map(\.reason) == [.rejected])
                #expect(store.letters.first?.error.contains("401") == true)
            }
        }
    }

    @Test func aWrongSecretIsRefusedByTheBackend() async throws {
        try await TestBackend.with(secret: String(repeating: "x", count: 40), respond: { _, _ in .json("{}") }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let bot = ForwardBot(configuration: TestBot.configuration(url: url), httpClient: http, deadLetters: store, logger: TestBot.logger)
                let (update, raw) = try TestBot.update()
                _ = try await bot.handle(update, context: TestBot.context(update, raw: raw))
                #expect(store.letters.map(\.reason) == [.rejected])
            }
        }
    }
}
