import ForwardBot
import Foundation
import Gateway
import TelegramBotAPI
import TelegramEmulator
import Testing

/// What the backend's 2xx answer turns into: replies, a state change, or a
/// refusal kept as a dead letter.
@Suite("ForwardBot answer")
struct ForwardBotAnswerTests {
    /// Handles one update whose call the backend answers with `answer`.
    private func handle(
        answer: LocalHTTPServer.Response,
        state: [UInt8]? = nil
    ) async throws -> (outcome: StepOutcome, letters: [DeadLetter]) {
        var result: (StepOutcome, [DeadLetter])?
        try await TestBackend.with(respond: { _, _ in answer }) { _, url in
            try await TestBot.withHTTPClient { http in
                let store = InMemoryDeadLetterStore()
                let bot = ForwardBot(configuration: TestBot.configuration(url: url), httpClient: http, deadLetters: store, logger: TestBot.logger)
                let (update, raw) = try TestBot.update()
                let outcome = try await bot.handle(update, context: TestBot.context(update, raw: raw, state: state))
                result = (outcome, store.letters)
            }
        }
        return try #require(result)
    }

    private static func sendMessage(_ text: String) -> String {
        #"{"method":"sendMessage","parameters":{"chat_id":123456789,"text":"\#(text)"}}"#
    }

    @Test func actionsBecomeRepliesInOrder() async throws {
        let (outcome, letters) = try await handle(answer: .json("""
            {"actions": [\(Self.sendMessage("one")),
                         {"method": "answerCallbackQuery", "parameters": {"callback_query_id": "q1"}},
                         \(Self.sendMessage("two"))]}
            """))
        #expect(letters.isEmpty)
        #expect(outcome.state == .keep)
        #expect(outcome.replies == [
            .sendMessage(SendMessage(chatID: 123_456_789, text: "one")),
            .answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: "q1")),
            .sendMessage(SendMessage(chatID: 123_456_789, text: "two")),
        ])
    }

    @Test(arguments: ["", "  \n", "{}", " { } ", #"{"actions": []}"#, #"{"actions": null, "other": 1}"#])
    func anEmptyAnswerSendsNothing(_ body: String) async throws {
        let (outcome, letters) = try await handle(answer: .json(body), state: Array(#"{"kept":true}"#.utf8))
        #expect(letters.isEmpty)
        #expect(outcome.replies.isEmpty)
        #expect(outcome.state == .keep)
    }

    @Test func a204SendsNothing() async throws {
        let (outcome, letters) = try await handle(answer: .init(status: 204))
        #expect(letters.isEmpty && outcome.replies.isEmpty && outcome.state == .keep)
    }

    @Test func stateIsSetKeptAndClearedAcrossUpdates() async throws {
        let answers = [
            #"{"state": {"step": "name", "tags": ["a", "b"], "n": 1.50}}"#,
            #"{"actions": []}"#,
            #"{"state": null}"#,
        ]
        try await TestBackend.with(respond: { _, index in .json(answers[min(index, answers.count - 1)]) }) { backend, url in
            try await TestBot.withHTTPClient { http in
                let bot = ForwardBot(
                    configuration: TestBot.configuration(url: url), httpClient: http, deadLetters: InMemoryDeadLetterStore(), logger: TestBot.logger)
                var stored: [UInt8]?
                for (id, expected) in [(1, "set"), (2, "keep"), (3, "clear")] {
                    let (update, raw) = try TestBot.update(id: id)
                    let outcome = try await bot.handle(update, context: TestBot.context(update, raw: raw, state: stored))
                    switch (outcome.state, expected) {
                    case (.set(let state), "set"):
                        // The verbatim JSON the backend sent, so `1.50` stays `1.50`.
                        #expect(state == Array(#"{"step": "name", "tags": ["a", "b"], "n": 1.50}"#.utf8))
                        stored = state
                    case (.keep, "keep"):
                        break
                    case (.clear, "clear"):
                        stored = nil
                    default:
                        Issue.record("update \(id): \(outcome.state), expected \(expected)")
                    }
                }
                let states = backend.calls.map { $0.json()["state"] }
                #expect(states.count == 3)
                #expect(states[0] is NSNull)
                #expect((states[1] as? [String: Any])?["step"] as? String == "name")
                #expect((states[2] as? [String: Any])?["step"] as? String == "name")
            }
        }
    }

    @Test(arguments: ["not json", "[1, 2]", "\"text\"", #"{"actions": {"method": "sendMessage"}}"#, #"{"actions": [1,"#])
    func garbageIsRefusedAndDeadLettered(_ body: String) async throws {
        let (outcome, letters) = try await handle(answer: .json(body))
        #expect(outcome.replies.isEmpty && outcome.state == .keep)
        let letter = try #require(letters.first)
        #expect(letters.count == 1)
        #expect(letter.reason == .invalidAnswer)
        #expect(letter.attempts == 1)
        #expect(letter.updateID == 7)
        #expect(letter.conversation == "123456789")
        #expect(letter.update.contains(#""x_future_field":{"a":[1,2.50]}"#), "the update as Telegram sent it")
    }

    @Test func twentyOneActionsAreRefusedAsAWhole() async throws {
        let actions = (1...21).map { Self.sendMessage("\($0)") }.joined(separator: ",")
        let (outcome, letters) = try await handle(answer: .json(#"{"actions": [\#(actions)], "state": {"x": 1}}"#))
        #expect(outcome.replies.isEmpty)
        #expect(outcome.state == .keep)
        #expect(letters.map(\.reason) == [.tooManyActions])
        #expect(letters.first?.error.contains("21 actions") == true)
    }

    @Test func twentyActionsAreSent() async throws {
        let actions = (1...20).map { Self.sendMessage("\($0)") }.joined(separator: ",")
        let (outcome, letters) = try await handle(answer: .json(#"{"actions": [\#(actions)]}"#))
        #expect(letters.isEmpty)
        #expect(outcome.replies.count == 20)
    }

    @Test func aStateOver64KiBIsRefused() async throws {
        let big = String(repeating: "x", count: 64 * 1024)
        let (outcome, letters) = try await handle(answer: .json(#"{"actions": [\#(Self.sendMessage("hi"))], "state": {"blob": "\#(big)"}}"#))
        #expect(outcome.replies.isEmpty)
        #expect(outcome.state == .keep)
        #expect(letters.map(\.reason) == [.stateTooLarge])
    }

    @Test func aStateOfExactly64KiBIsKept() async throws {
        let state = #"{"blob":""# + String(repeating: "x", count: 64 * 1024 - 11) + #""}"#
        #expect(state.utf8.count == 64 * 1024)
        let (outcome, letters) = try await handle(answer: .json(#"{"state": \#(state)}"#))
        #expect(letters.isEmpty)
        #expect(outcome.state == .set(Array(state.utf8)))
    }

    @Test func invalidActionsAreRefusedAndTheOthersSent() async throws {
        let (outcome, letters) = try await handle(answer: .json("""
            {"actions": [\(Self.sendMessage("first")),
                         {"method": "sendDice", "parameters": {"chat_id": 1}},
                         {"method": "sendMessage", "parameters": {"chat_id": "not a number", "text": "x"}},
                         {"parameters": {}},
                         \(Self.sendMessage("last"))],
             "state": {"step": 2}}
            """))
        #expect(outcome.replies == [
            .sendMessage(SendMessage(chatID: 123_456_789, text: "first")),
            .sendMessage(SendMessage(chatID: 123_456_789, text: "last")),
        ])
        #expect(outcome.state == .set(Array(#"{"step": 2}"#.utf8)))
        let letter = try #require(letters.first)
        #expect(letters.count == 1)
        #expect(letter.reason == .invalidAction)
        #expect(letter.error.contains("3 of 5 actions refused, 2 others sent"))
        #expect(letter.error.contains("action 2 (sendDice)"))
        #expect(letter.error.contains("action 3 (sendMessage): parameters.chat_id"))
        #expect(letter.error.contains("action 4: method is missing"))
    }
}
