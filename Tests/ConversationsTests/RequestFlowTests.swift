import Conversations
import Testing

/// The create_request-shaped flow, step by step through the pure runtime.
@Suite("Runtime: request flow")
struct RequestFlowTests {
    static let steps = ["category", "description", "address", "photo", "confirm"]

    /// A driver whose services answer: categories, and request numbers.
    static func driver() -> ConversationDriver {
        ConversationDriver(services: [
            "request.categories": ServiceOutcome.always(["categories": SampleFlows.categories]),
            "request.create": ServiceOutcome.always(["number": "R-000981"]),
        ])
    }

    /// A driver at `step`, having entered what the happy path enters before it.
    static func driver(at step: String) throws -> ConversationDriver {
        var driver = Self.driver()
        try driver.start("file_request")
        for current in Self.steps.prefix(while: { $0 != step }) {
            switch current {
            case "category": try driver.press(.text("Plumbing"))
            case "description": driver.send(.text("Water is leaking under the kitchen sink"))
            case "address": driver.send(.text("Block 4, apartment 12"))
            case "photo": try driver.press(.key("button.skip"))
            default: Issue.record("no way past \(current)")
            }
        }
        #expect(driver.state?.step == step)
        return driver
    }

    @Test func happyPathPostsTheRequestAndFinishesWithItsNumber() throws {
        var driver = Self.driver()
        try driver.start("file_request")
        #expect(driver.calls.map(\.name) == ["request.categories"])
        #expect(driver.screen?.prompt == "request.category.prompt")
        #expect(driver.labels == [[.text("Plumbing"), .text("Electricity")], [.text("Heating")], [.key("button.cancel")]])
        #expect(driver.screen?.expects == .choice)

        try driver.press(.text("Plumbing"))
        #expect(driver.screen?.prompt == "request.description.prompt")
        #expect(driver.labels == [[.key("button.back"), .key("button.cancel")]])
        #expect(driver.screen?.previous == nil)

        driver.send(.text("  Water is leaking under the kitchen sink \n"))
        #expect(driver.screen?.prompt == "request.address.prompt")

        driver.send(.text("Block 4, apartment 12"))
        #expect(driver.screen?.prompt == "request.photo.prompt")
        #expect(driver.labels == [[.key("button.skip")], [.key("button.back"), .key("button.cancel")]])

        try driver.press(.key("button.skip"))
        #expect(driver.screen?.prompt == Prompt("request.confirm.summary", [
            "category": .text("Plumbing"),
            "description": .text("Water is leaking under the kitchen sink"),
            "address": .text("Block 4, apartment 12"),
            "photos": .int(0),
        ]))
        #expect(driver.labels == [[.key("button.confirm")], [.key("button.back"), .key("button.cancel")]])

        try driver.press(.key("button.confirm"))
        #expect(driver.calls.map(\.name) == ["request.categories", "request.create"])
        #expect(driver.calls.last?.arguments == [
            "category": "plumbing",
            "description": "Water is leaking under the kitchen sink",
            "address": "Block 4, apartment 12",
            "photos": .strings([]),
        ])
        #expect(driver.finished == Prompt("request.created", ["number": .text("R-000981")]))
        #expect(driver.state == nil)
    }

    @Test func everyChangeBumpsTheVersionAndButtonsCarryIt() throws {
        var driver = Self.driver()
        try driver.start("file_request", id: "update-42")
        let first = try #require(driver.state)
        #expect(first.version == ConversationState.initialVersion(for: "update-42"))
        #expect(try driver.press(for: .key("button.cancel")).version == first.version)
        try driver.press(.text("Heating"))
        #expect(driver.state?.version == first.version + 1)
        #expect(try driver.press(for: .key("button.back")).version == first.version + 1)
        #expect(ConversationState.initialVersion(for: "update-42") != ConversationState.initialVersion(for: "update-43"))
        #expect(ConversationState.initialVersion(for: String(repeating: "z", count: 500)) < 1 << 53)
    }

    @Test(arguments: steps.dropFirst())
    func backReturnsToThePreviousStepShowingWhatWasEntered(step: String) throws {
        var driver = try Self.driver(at: step)
        let before = try #require(driver.state)
        try driver.press(.key("button.back"))
        let index = try #require(Self.steps.firstIndex(of: step))
        let previous = Self.steps[index - 1]
        let state = try #require(driver.state)
        #expect(state.step == previous)
        #expect(state.version == before.version + 1)
        #expect(state.history == Array(Self.steps.prefix(index - 1)))
        #expect(state.data == before.data, "Back keeps the data")
        let expectedPrevious: FlowValue = switch previous {
        case "category": "Plumbing"
        case "description": "Water is leaking under the kitchen sink"
        case "address": "Block 4, apartment 12"
        default: .strings([])
        }
        #expect(driver.screen?.previous == expectedPrevious)
        if previous == "category" {
            #expect(driver.calls.map(\.name) == ["request.categories", "request.categories"], "entering again loads the options again")
        }
    }

    @Test func theFirstStepOffersNoBackAndIgnoresOne() throws {
        var driver = try Self.driver(at: "category")
        #expect(!driver.labels.joined().contains(.key("button.back")))
        let state = driver.state
        driver.send(.button(ButtonPress(version: try #require(state).version, value: .back)))
        #expect(driver.actions == [.expired], "a button the screen never showed is not acted on")
        #expect(driver.state == state)
        driver.send(.back)
        #expect(driver.screen?.step == "category", "/back with nowhere to go shows the step again")
        #expect(driver.state == state)
    }

    @Test func goingBackThenForwardShowsTheEarlierInputOnTheWayToo() throws {
        var driver = try Self.driver(at: "photo")
        try driver.press(.key("button.back"))
        try driver.press(.key("button.back"))
        #expect(driver.screen?.step == "description")
        driver.send(.text("The radiator in the bedroom is cold"))
        #expect(driver.screen?.step == "address")
        #expect(driver.screen?.previous == "Block 4, apartment 12")
        #expect(driver.state?.data["description"] == "The radiator in the bedroom is cold")
    }

    @Test(arguments: steps)
    func cancelClearsTheConversationAtEveryStep(step: String) throws {
        var driver = try Self.driver(at: step)
        try driver.press(.key("button.cancel"))
        #expect(driver.actions == [.finished("common.cancelled")])
        #expect(driver.state == nil)

        var commanded = try Self.driver(at: step)
        commanded.send(.cancel)
        #expect(commanded.actions == [.finished("common.cancelled")])
        #expect(commanded.state == nil)
    }

    @Test(arguments: [
        ("description", "too short", 9),
        ("description", String(repeating: "я", count: 1001), 1001),
        ("address", "12", 2),
        ("address", "   ", 0),
    ])
    func textOutOfBoundsIsExplainedAndTheStepStays(step: String, text: String, length: Int) throws {
        var driver = try Self.driver(at: step)
        let before = driver.state
        driver.send(.text(text))
        let (min, max) = step == "description" ? (10, 1000) : (3, 200)
        #expect(driver.notices == [Prompt("request.\(step).invalid", ["min": .int(min), "max": .int(max), "length": .int(length)])])
        #expect(driver.screen?.step == step)
        #expect(driver.state == before, "invalid input changes nothing, so the screen's buttons stay valid")
    }

    @Test func textWhereAButtonIsExpectedGetsTheHintAndTheSameScreen() throws {
        var driver = try Self.driver(at: "category")
        let before = driver.state
        driver.send(.text("Plumbing"))
        #expect(driver.notices == ["hint.buttons"])
        #expect(driver.screen?.step == "category")
        #expect(driver.state == before)

        var confirm = try Self.driver(at: "confirm")
        let atConfirm = confirm.state
        confirm.send(.text("yes"))
        #expect(confirm.notices == [], "a step without a hint only shows itself again")
        #expect(confirm.screen?.step == "confirm")
        #expect(confirm.state == atConfirm)
    }

    @Test func aButtonFromAnOlderScreenIsNeverActedOn() throws {
        var driver = try Self.driver(at: "category")
        let plumbing = try driver.press(for: .text("Plumbing"))
        try driver.press(.text("Plumbing"))
        let back = try driver.press(for: .key("button.back"))
        driver.send(.text("Water is leaking under the kitchen sink"))
        let atAddress = driver.state

        for stale in [plumbing, back, ButtonPress(version: back.version, value: .cancel)] {
            driver.send(.button(stale))
            #expect(driver.actions == [.expired])
            #expect(driver.state == atAddress)
        }
        driver.send(.button(ButtonPress(version: try #require(atAddress).version, value: .option(0))))
        #expect(driver.actions == [.expired], "an option on a step that offers none")
        driver.send(.button(ButtonPress(version: try #require(atAddress).version, value: .skip)))
        #expect(driver.actions == [.expired])
        #expect(driver.state == atAddress)
    }

    @Test func aButtonFromAnEarlierRunDoesNotMatchALaterOne() throws {
        var first = Self.driver()
        try first.start("file_request", id: "update-1")
        let oldCancel = try first.press(for: .key("button.cancel"))
        var second = Self.driver()
        try second.start("file_request", id: "update-2")
        let state = second.state
        second.send(.button(oldCancel))
        #expect(second.actions == [.expired])
        #expect(second.state == state)
    }

    @Test func withoutAConversationEveryEventIsExpiredButCancel() {
        var driver = Self.driver()
        for event: FlowEvent in [
            .text("hello"), .button(ButtonPress(version: 1, value: .confirm)), .photo(fileID: "p"),
            .back, .serviceResult(.success()), .contact(phone: "+998"), .location(latitude: 1, longitude: 2),
        ] {
            driver.send(event)
            #expect(driver.actions == [.expired])
            #expect(driver.state == nil)
        }
        driver.send(.cancel)
        #expect(driver.actions == [.finished("common.cancelled")])
    }

    @Test func aFailedConfirmStaysAndPressingConfirmAgainRetriesWithTheSameKey() throws {
        var driver = try Self.driver(at: "confirm")
        let atConfirm = try #require(driver.state)
        let confirm = try driver.press(for: .key("button.confirm"))
        var attempts = 0
        driver.services["request.create"] = { _ in
            attempts += 1
            return attempts == 1 ? .failure(.unavailable) : .success(["number": "R-000982"])
        }

        driver.send(.button(confirm))
        #expect(driver.notices == ["error.service_unavailable"])
        #expect(driver.state == atConfirm, "the state is as before the press, version included")

        driver.send(.button(confirm))
        #expect(driver.finished == Prompt("request.created", ["number": .text("R-000982")]))
        let posts = driver.calls.filter { $0.name == "request.create" }
        #expect(posts.count == 2)
        #expect(posts[0].idempotencyKey == posts[1].idempotencyKey)
        #expect(posts[0].arguments == posts[1].arguments)
    }

    @Test func aServiceMessageKeyOverridesTheDefault() throws {
        var driver = try Self.driver(at: "confirm")
        driver.services["request.create"] = { _ in .failure(.invalid, messageKey: "request.rejected") }
        try driver.press(.key("button.confirm"))
        #expect(driver.notices == ["request.rejected"])
        driver.services["request.create"] = { _ in .failure(.forbidden) }
        try driver.press(.key("button.confirm"))
        #expect(driver.notices == ["error.forbidden"])
        #expect(driver.state?.step == "confirm")
    }

    @Test func changingAnAnswerAfterAFailureGivesANewIdempotencyKey() throws {
        var driver = try Self.driver(at: "confirm")
        driver.services["request.create"] = { _ in .failure(.unavailable) }
        try driver.press(.key("button.confirm"))
        try driver.press(.key("button.back"))
        try driver.press(.key("button.skip"))
        try driver.press(.key("button.confirm"))
        let posts = driver.calls.filter { $0.name == "request.create" }
        #expect(posts.count == 2)
        #expect(posts[0].idempotencyKey != posts[1].idempotencyKey)
    }

    @Test func categoriesThatCannotLoadEndTheStartWithTheFailure() throws {
        var driver = ConversationDriver()
        try driver.start("file_request")
        #expect(driver.actions == [.call(try #require(driver.calls.first)), .finished("error.service_unavailable")])
        #expect(driver.state == nil)
    }

    @Test func categoriesThatCannotLoadOnBackKeepTheCurrentStep() throws {
        var driver = try Self.driver(at: "description")
        let before = driver.state
        driver.services["request.categories"] = { _ in .failure(.unavailable) }
        try driver.press(.key("button.back"))
        #expect(driver.notices == ["error.service_unavailable"])
        #expect(driver.state == before)
    }

    @Test func noPhotosWithSkip() throws {
        var driver = try Self.driver(at: "photo")
        try driver.press(.key("button.skip"))
        #expect(driver.state?.step == "confirm")
        #expect(driver.state?.data["photos"] == .strings([]))
    }

    @Test func onePhotoThenSkip() throws {
        var driver = try Self.driver(at: "photo")
        let version = try #require(driver.state).version
        driver.send(.photo(fileID: "photo-1"))
        #expect(driver.state?.step == "photo")
        #expect(driver.state?.version == version + 1)
        #expect(driver.screen?.prompt == Prompt("request.photo.received", ["count": .int(1), "max": .int(3)]))
        #expect(driver.screen?.expects == .photo)
        try driver.press(.key("button.skip"))
        #expect(driver.state?.step == "confirm")
        #expect(driver.state?.data["photos"] == .strings(["photo-1"]))
        #expect(driver.screen?.prompt.arguments["photos"] == .int(1))
    }

    @Test func threePhotosMoveOnByThemselves() throws {
        var driver = try Self.driver(at: "photo")
        for index in 1...3 {
            driver.send(.photo(fileID: "photo-\(index)"))
        }
        #expect(driver.state?.step == "confirm")
        #expect(driver.state?.data["photos"] == .strings(["photo-1", "photo-2", "photo-3"]))
        #expect(driver.screen?.prompt.arguments["photos"] == .int(3))
    }

    @Test func aFourthPhotoReachesTheSummaryAndChangesNothing() throws {
        var driver = try Self.driver(at: "photo")
        for index in 1...3 {
            driver.send(.photo(fileID: "photo-\(index)"))
        }
        let atConfirm = driver.state
        driver.send(.photo(fileID: "photo-4"))
        #expect(driver.screen?.step == "confirm")
        #expect(driver.state == atConfirm)
    }

    @Test func otherInputAtThePhotoStepGetsTheHint() throws {
        var driver = try Self.driver(at: "photo")
        let before = driver.state
        let hint = Prompt("request.photo.hint", ["max": .int(3)])
        driver.send(.text("here you go"))
        #expect(driver.notices == [hint], "the hint says how many photos the step takes")
        #expect(driver.screen?.step == "photo")
        driver.send(.contact(phone: "+998901234567"))
        #expect(driver.notices == [hint])
        #expect(driver.state == before)
    }

    @Test func photosKeptWhenComingBackAndAFullListStartsAgain() throws {
        var driver = try Self.driver(at: "photo")
        driver.send(.photo(fileID: "a"))
        driver.send(.photo(fileID: "b"))
        driver.send(.photo(fileID: "c"))
        try driver.press(.key("button.back"))
        #expect(driver.screen?.previous == .strings(["a", "b", "c"]))
        driver.send(.photo(fileID: "d"))
        #expect(driver.state?.data["photos"] == .strings(["d"]), "a photo sent to a full list starts a new one")
        try driver.press(.key("button.skip"))
        #expect(driver.state?.data["photos"] == .strings(["d"]))
        try driver.press(.key("button.back"))
        driver.send(.photo(fileID: "e"))
        #expect(driver.state?.data["photos"] == .strings(["d", "e"]), "photos are added to a list that is not full")
    }
}
