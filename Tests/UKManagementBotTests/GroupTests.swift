import TelegramBotAPI
import TelegramEmulator
import Testing

/// In a group the bot answers only commands addressed to it and keeps each
/// member's conversation separate. Telegram allows 20 messages a minute per
/// group, so this test is paced by the gateway at one message every 3 s.
@Suite("UK bot end to end: groups", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct GroupTests {
    @Test("two members in separate flows; a member pressing the other's button gets expired, not the other's flow")
    func twoMembers() async throws {
        try await BotWorld.run { world in
            let members = world.group(id: -1_001_234_567, members: [(7901, "Ann"), (7902, "Ben")])
            let ann = members[0]
            let ben = members[1]

            // Chatter and commands for other bots are not for this one: the first answer is to the addressed command.
            ann.user.send("Hi all, the lift is broken again")
            ann.user.sendCommand("start")
            let annQuestion = try await ann.command("create_request", addressed: true)
            #expect(annQuestion.text == ann.text("request.category.prompt"))
            #expect(world.telegram.botEvents(inChat: ann.chatID).count == 1)

            let benQuestion = try await ben.command("create_request", addressed: true)
            #expect(benQuestion.text == ben.text("request.category.prompt"))
            #expect(benQuestion.message.messageID != annQuestion.message.messageID)

            let annDescription = try await ann.press(RequestFlow.categoryName(ann), inMessage: annQuestion.message.messageID)
            #expect(annDescription.text == ann.text("request.description.prompt"))
            let annState = try #require(try await world.storedState(ann.conversation))
            let benState = try #require(try await world.storedState(ben.conversation))
            #expect(annState.step == "description")
            #expect(benState.step == "category")

            // Ben presses Cancel under Ann's prompt.
            let foreign = try await ben.press(ben.text("button.cancel"), inMessage: annQuestion.message.messageID)
            #expect(foreign.text == ben.withMenu(ben.text("conversation.expired")))
            #expect(try await world.storedState(ann.conversation) == annState, "Ann's flow is not cancelled")
            #expect(try await world.storedState(ben.conversation) == benState, "Ben's own flow is where it was")
            let annMessage = world.telegram.botEvents(inChat: ann.chatID).last { $0.message.messageID == annQuestion.message.messageID }
            #expect(annMessage?.text == ann.text("request.description.prompt"), "Ann's prompt is still on screen")
            #expect(annMessage?.buttonLabels == [[ann.text("button.back"), ann.text("button.cancel")]])

            // Both go on, each in their own flow.
            let annAddress = try await ann.say(Sample.description)
            #expect(annAddress.text == ann.text("request.address.prompt"))
            let benDescription = try await ben.press(RequestFlow.categoryName(ben), inMessage: benQuestion.message.messageID)
            #expect(benDescription.text == ben.text("request.description.prompt"))
            #expect(try await world.storedState(ann.conversation)?.step == "address")
            #expect(try await world.storedState(ben.conversation)?.step == "description")
        }
    }
}
