import Testing

/// Each validation error of `/create_request`: explained in the user's
/// language with the same screen again, and the conversation unchanged.
@Suite("UK bot end to end: validation", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct ValidationTests {
    @Test("text out of bounds, text for a button, text for a photo, and more photos than allowed")
    func validationErrors() async throws {
        try await BotWorld.run { world in
            await world.concurrently([
                {
                    let user = world.privateUser(id: 7401, firstName: "Short", languageCode: "ru")
                    try await Self.refused(user, at: "description", input: "Течёт", world: world, notice: user.text(
                        "request.description.invalid", ["min": 10, "max": 1000, "length": 5]))
                    // Exactly the lower bound is enough.
                    let accepted = try await user.say("Течёт кран")
                    #expect(accepted.text == user.text("request.address.prompt"))
                },
                {
                    let user = world.privateUser(id: 7402, firstName: "Long")
                    try await Self.refused(user, at: "description", input: String(repeating: "a", count: 1001), world: world, notice: user.text(
                        "request.description.invalid", ["min": 10, "max": 1000, "length": 1001]))
                },
                {
                    let user = world.privateUser(id: 7403, firstName: "Address", languageCode: "uz")
                    try await Self.refused(user, at: "address", input: "4b", world: world, notice: user.text(
                        "request.address.invalid", ["min": 3, "max": 200, "length": 2]))
                },
                {
                    let user = world.privateUser(id: 7404, firstName: "Typist")
                    try await Self.refused(user, at: "category", input: "Plumbing", world: world, notice: user.text("common.use_buttons"))
                    try await Self.refused(user, at: "confirm", input: "yes", world: world, notice: user.text("common.use_buttons"))
                },
                {
                    let user = world.privateUser(id: 7405, firstName: "Photo", languageCode: "ru")
                    try await Self.refused(user, at: "photo", input: "here it is", world: world, notice: user.text("request.photo.hint", ["max": 3]))
                },
                { try await Self.fourPhotos(world) },
            ])
        }
    }

    /// Three photos move the flow on; a fourth finds the summary, which waits for a button.
    private static func fourPhotos(_ world: BotWorld) async throws {
        let user = world.privateUser(id: 7406, firstName: "Photos", languageCode: "en")
        try await RequestFlow.drive(user, to: "photo")
        var fileIDs: [String] = []
        for count in 1...2 {
            let (fileID, answer) = try await user.sendPhoto()
            fileIDs.append(fileID)
            #expect(answer.text == user.text("request.photo.received", ["count": .int(count), "max": 3]))
            #expect(answer.buttonLabels == RequestFlow.buttons(of: "photo", user))
            #expect(try await world.storedState(user.conversation)?.step == "photo")
        }
        let (third, summary) = try await user.sendPhoto()
        fileIDs.append(third)
        #expect(summary.text == RequestFlow.summary(user, photos: 3), "the third photo moves on")
        #expect(try await world.storedState(user.conversation)?.data["photos"] == .strings(fileIDs))

        let before = try await world.storedState(user.conversation)
        let (_, fourth) = try await user.sendPhoto()
        #expect(fourth.text == user.notice(user.text("common.use_buttons"), then: RequestFlow.summary(user, photos: 3)))
        #expect(try await world.storedState(user.conversation) == before, "a fourth photo is not kept")

        let created = try await user.press(user.text("button.confirm"))
        #expect(created.text.hasPrefix(user.text("request.created", ["number": "R-000001"])))
        let post = try #require(world.services.calls(.createRequest).first)
        #expect(post.body?["photos"] == .array(fileIDs.map { .string($0) }))
    }

    /// Drives `user` to `step`, sends `input`, and checks the answer is
    /// `notice` then the same screen, with the conversation unchanged.
    private static func refused(
        _ user: Chatter,
        at step: String,
        input: String,
        world: BotWorld,
        notice: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        try await RequestFlow.drive(user, to: step)
        let before = try #require(try await world.storedState(user.conversation), sourceLocation: sourceLocation)
        let answer = try await user.say(input)
        #expect(answer.kind == .sent, sourceLocation: sourceLocation)
        #expect(answer.text == user.notice(notice, then: RequestFlow.prompt(of: step, user)), sourceLocation: sourceLocation)
        #expect(answer.buttonLabels == RequestFlow.buttons(of: step, user), sourceLocation: sourceLocation)
        #expect(try await world.storedState(user.conversation) == before, "invalid input leaves the state as it was", sourceLocation: sourceLocation)
    }
}
