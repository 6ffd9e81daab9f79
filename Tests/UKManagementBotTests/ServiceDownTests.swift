import Testing

/// The request service down at **Confirm**: the user is told, stays on the
/// step, and **Confirm** again creates the request once, with the same
/// `Idempotency-Key`.
@Suite("UK bot end to end: the request service down", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(2)))
struct ServiceDownTests {
    @Test("every attempt of a Confirm fails; Confirm again creates one request with the same idempotency key")
    func confirmAgainAfterAnOutage() async throws {
        try await BotWorld.run { world in
            let user = world.privateUser(id: 7701, firstName: "Dana", languageCode: "ru")
            try await RequestFlow.drive(user, to: "confirm")
            let atConfirm = try #require(try await world.storedState(user.conversation))

            // SERVICE_ATTEMPTS is 3: every attempt of this press answers 503.
            world.services.failNext(3, of: .createRequest, status: 503)
            let failed = try await user.press(user.text("button.confirm"))
            #expect(failed.text == user.text("error.service_unavailable"))
            #expect(failed.kind == .sent, "a message of its own: the summary above keeps its Confirm")
            let attempts = world.services.calls(.createRequest)
            #expect(attempts.map(\.status) == [503, 503, 503])
            let key = try #require(attempts.first?.idempotencyKey)
            #expect(attempts.allSatisfy { $0.idempotencyKey == key }, "retries keep the key")
            #expect(try await world.storedState(user.conversation) == atConfirm, "the user stays on Confirm")
            #expect(world.services.requestCount == 0)

            // "Press the button again in a little while": after the double-press window.
            try await world.waitForRepeatPressWindow(user)
            let created = try await user.press(user.text("button.confirm"))
            #expect(created.text == user.withMenu(user.text("request.created", ["number": "R-000001"])))
            #expect(created.buttonLabels == user.applicantMenu)

            let posts = world.services.calls(.createRequest)
            #expect(posts.count == 4)
            #expect(posts.last?.status == 201)
            #expect(posts.allSatisfy { $0.idempotencyKey == key }, "Confirm again repeats the same key")
            #expect(world.services.creationCount(idempotencyKey: key) == 1)
            #expect(world.services.requestCount == 1)
            #expect(try await world.storedState(user.conversation) == nil)
        }
    }
}
