import GatewayTestSupport
import Testing

/// Buttons that no longer mean anything: from a conversation whose state
/// expired, and from an earlier screen of a conversation that moved on. Both
/// answer "This conversation has expired." with the main menu and act on nothing.
@Suite("UK bot end to end: expired conversations and stale buttons", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct ExpiryTests {
    @Test("a conversation past REDIS_FSM_TTL: Confirm answers expired and posts nothing")
    func expiredConversation() async throws {
        try await BotWorld.run(.init(environment: ["REDIS_FSM_TTL": "2"])) { world in
            let user = world.privateUser(id: 7501, firstName: "Late", languageCode: "ru")
            try await RequestFlow.drive(user, to: "confirm")
            #expect(try await world.storedState(user.conversation)?.step == "confirm")

            // Redis forgets the state at the TTL; poll for that, not for a fixed time.
            try await waitUntil("the conversation state to expire") {
                try await world.storedState(user.conversation) == nil
            }
            let expired = try await user.press(user.text("button.confirm"))
            #expect(expired.text == user.withMenu(user.text("conversation.expired")))
            #expect(expired.buttonLabels == user.applicantMenu)
            #expect(world.services.calls(.createRequest).isEmpty, "an expired Confirm posts nothing")
            #expect(try await world.storedState(user.conversation) == nil, "and starts nothing")

            let later = try await user.say(Sample.address)
            #expect(later.text == user.withMenu(user.text("common.not_understood")))
        }
    }

    @Test("a button from an earlier screen: expired, the current step untouched, no service called")
    func staleButton() async throws {
        try await BotWorld.run { world in
            let user = world.privateUser(id: 7502, firstName: "Scroll")
            let question = try await RequestFlow.drive(user, to: "category")
            // Plumbing turns the question into the description prompt, with Back and Cancel.
            let description = try await user.press(RequestFlow.categoryName(user))
            #expect(description.message.messageID == question.message.messageID)
            try await user.say(Sample.description)
            let atAddress = try #require(try await world.storedState(user.conversation))
            #expect(atAddress.step == "address")
            let callsBefore = world.services.calls().count

            // Cancel on the description prompt, which the flow has left behind.
            let stale = try await user.press(user.text("button.cancel"), inMessage: description.message.messageID)
            #expect(stale.text == user.withMenu(user.text("conversation.expired")))
            #expect(stale.buttonLabels == user.applicantMenu)
            #expect(try await world.storedState(user.conversation) == atAddress, "the stale Cancel cancelled nothing")
            #expect(world.services.calls().count == callsBefore, "no service was called")

            // The current step still works.
            let photo = try await user.say(Sample.address)
            #expect(photo.text == user.text("request.photo.prompt"))
        }
    }
}
