import Testing

/// **Back** and **Cancel** at every step of `/create_request`, each scenario
/// in a private chat of its own (they run at once), in English and Russian.
@Suite("UK bot end to end: Back and Cancel", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct BackAndCancelTests {
    @Test("Cancel at every step says Cancelled, shows the menu and clears the conversation")
    func cancelAtEveryStep() async throws {
        try await BotWorld.run { world in
            let pressed: [@Sendable () async throws -> Void] = RequestFlow.steps.enumerated().map { index, step in
                {
                    let user = world.privateUser(id: 7200 + Int64(index), firstName: "Cancel", languageCode: index.isMultiple(of: 2) ? "en" : "ru")
                    try await RequestFlow.drive(user, to: step)
                    #expect(try await world.storedState(user.conversation)?.step == step)

                    let cancelled = try await user.press(user.text("button.cancel"))
                    #expect(cancelled.text == user.withMenu(user.text("common.cancelled")), "Cancel at \(step)")
                    #expect(cancelled.buttonLabels == user.applicantMenu, "Cancel at \(step)")
                    #expect(try await world.storedState(user.conversation) == nil, "Cancel at \(step) clears the state")

                    let later = try await user.say(Sample.description)
                    #expect(later.text == user.withMenu(user.text("common.not_understood")), "after Cancel at \(step), text starts nothing")
                }
            }
            let typed: @Sendable () async throws -> Void = {
                let user = world.privateUser(id: 7210, firstName: "Typed", languageCode: "uz")
                try await RequestFlow.drive(user, to: "address")
                let cancelled = try await user.command("cancel")
                #expect(cancelled.text == user.withMenu(user.text("common.cancelled")), "/cancel")
                #expect(try await world.storedState(user.conversation) == nil, "/cancel clears the state")
            }
            await world.concurrently(pressed + [typed])
            #expect(world.services.calls(.createRequest).isEmpty, "a cancelled request is never posted")
        }
    }

    @Test("Back at every step shows the previous step with what was entered there, and the flow goes on from it")
    func backAtEveryStep() async throws {
        try await BotWorld.run { world in
            let steps = Array(RequestFlow.steps.enumerated().dropFirst())
            await world.concurrently(steps.map { index, step in
                {
                    let user = world.privateUser(id: 7300 + Int64(index), firstName: "Back", languageCode: index.isMultiple(of: 2) ? "en" : "ru")
                    let previous = RequestFlow.steps[index - 1]
                    try await RequestFlow.drive(user, to: step)
                    let before = try #require(try await world.storedState(user.conversation))

                    let back = try await user.press(user.text("button.back"))
                    #expect(back.text == Self.screen(of: previous, user), "Back at \(step)")
                    #expect(back.buttonLabels == RequestFlow.buttons(of: previous, user), "Back at \(step)")
                    let after = try #require(try await world.storedState(user.conversation))
                    #expect(after.step == previous)
                    #expect(after.data["description"] == before.data["description"], "Back keeps what was entered")
                    #expect(after.data["address"] == before.data["address"], "Back keeps what was entered")

                    // Answering the step again leads back to where Back was pressed (where nothing was entered yet).
                    let again = switch previous {
                    case "category": try await user.press(RequestFlow.categoryName(user))
                    case "description": try await user.say(Sample.description)
                    case "address": try await user.say(Sample.address)
                    default: try await user.press(user.text("button.skip"))
                    }
                    #expect(again.text == RequestFlow.prompt(of: step, user), "forward again to \(step)")
                    #expect(try await world.storedState(user.conversation)?.step == step)
                }
            })
            #expect(world.services.calls(.createRequest).isEmpty)
        }
    }

    /// A step's screen when the sample answers were entered: its prompt, and what was entered there before.
    private static func screen(of step: String, _ user: Chatter) -> String {
        let earlier: String? = switch step {
        case "category": RequestFlow.categoryName(user)
        case "description": Sample.description
        case "address": Sample.address
        default: nil
        }
        let prompt = RequestFlow.prompt(of: step, user)
        return earlier.map { prompt + "\n\n" + user.text("common.previous_input", ["value": .string($0)]) } ?? prompt
    }
}
