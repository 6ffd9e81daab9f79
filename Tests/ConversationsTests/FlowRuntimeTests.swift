import Conversations
import Testing

/// The runtime's other rules: chains of calls, branches, numbers, contact
/// and location, and states it cannot continue.
@Suite("Runtime")
struct FlowRuntimeTests {
    static let shifts: FlowValue = .options([
        FlowOption(value: "s-1", label: "Mon 09:00–17:00"),
        FlowOption(value: "s-2", label: "Tue 09:00–17:00"),
    ])

    static func shiftDriver() -> ConversationDriver {
        ConversationDriver(services: [
            "shift.available": ServiceOutcome.always(["shifts": shifts]),
            "shift.details": { call in .success(["start": "09:00", "end": "17:00", "echo": call.arguments["shift"] ?? "none"]) },
            "shift.take": ServiceOutcome.always(),
            "shift.schedule": ServiceOutcome.always(["schedule": .strings(["s-1", "s-9"])]),
        ])
    }

    @Test func aDynamicChoiceLoadsItsOptionsAndTheChosenOneLoadsItsDetails() throws {
        var driver = Self.shiftDriver()
        try driver.start("take_shift")
        #expect(driver.labels == [[.text("Mon 09:00–17:00")], [.text("Tue 09:00–17:00")], [.key("button.cancel")]])
        try driver.press(.text("Tue 09:00–17:00"))
        #expect(driver.calls.map(\.name) == ["shift.available", "shift.details"])
        #expect(driver.calls.last?.arguments == ["shift": "s-2"])
        #expect(driver.state?.data["shift"] == "s-2")
        #expect(driver.state?.data["shift.label"] == "Tue 09:00–17:00")
        #expect(driver.screen?.prompt == Prompt("shift.take.confirm", ["start": .text("09:00"), "end": .text("17:00")]))
    }

    @Test func aSuccessfulActionChainsIntoTheNextStepsCall() throws {
        var driver = Self.shiftDriver()
        try driver.start("take_shift")
        try driver.press(.text("Mon 09:00–17:00"))
        try driver.press(.key("button.confirm"))
        #expect(driver.calls.map(\.name) == ["shift.available", "shift.details", "shift.take", "shift.schedule"])
        #expect(driver.screen?.step == "schedule")
        #expect(driver.screen?.prompt == Prompt("shift.schedule.title", ["count": .int(2)]))
        #expect(driver.labels == [[.key("button.confirm")], [.key("button.cancel")]], "Back is switched off after taking the shift")
        try driver.press(.key("button.confirm"))
        #expect(driver.finished == "shift.taken")
    }

    @Test func aFailureLaterInTheChainUndoesTheWholeEvent() throws {
        var driver = Self.shiftDriver()
        try driver.start("take_shift")
        try driver.press(.text("Mon 09:00–17:00"))
        let atConfirm = driver.state
        driver.services["shift.schedule"] = { _ in .failure(.unavailable) }
        try driver.press(.key("button.confirm"))
        #expect(driver.notices == ["error.service_unavailable"])
        #expect(driver.state == atConfirm)

        driver.services["shift.schedule"] = ServiceOutcome.always(["schedule": .strings([])])
        try driver.press(.key("button.confirm"))
        #expect(driver.screen?.step == "schedule")
        let takes = driver.calls.filter { $0.name == "shift.take" }
        #expect(takes.count == 2)
        #expect(takes[0].idempotencyKey == takes[1].idempotencyKey, "the repeated take is absorbed by the service")
    }

    @Test func aConflictFinishesWithItsMessage() throws {
        var driver = Self.shiftDriver()
        driver.services["shift.take"] = { _ in .failure(.conflict) }
        try driver.start("take_shift")
        try driver.press(.text("Mon 09:00–17:00"))
        try driver.press(.key("button.confirm"))
        #expect(driver.finished == "shift.conflict")
        #expect(driver.state == nil)
    }

    @Test func anEmptyListFinishesWithTheEmptyPrompt() throws {
        var driver = Self.shiftDriver()
        driver.services["shift.available"] = ServiceOutcome.always(["shifts": .options([])])
        try driver.start("take_shift")
        #expect(driver.finished == "shift.available.empty")
        #expect(driver.state == nil)
    }

    @Test func aFailureRouteMayEnterAnotherStep() throws {
        let flow = Flow("retake") {
            Step("pick", prompt: "pick", accepts: .choice([Choice("a", label: "a")]))
                .action("take", with: ["pick"])
                .onFailure(.conflict, .step("pick"))
                .next(.finish())
        }
        var driver = ConversationDriver(registry: FlowRegistry([flow]), services: ["take": { _ in .failure(.conflict) }])
        try driver.start("retake")
        let before = try #require(driver.state)
        try driver.press(.key("a"))
        #expect(driver.notices == ["error.conflict"])
        #expect(driver.state?.step == "pick")
        #expect(driver.state?.history == ["pick"])
        #expect(driver.state?.version == before.version + 1)
    }

    @Test func aSuccessThatStaysSaysItsMessageAndKeepsTheScreen() throws {
        let flow = Flow("browse") {
            Step("period", prompt: "analytics.prompt", accepts: .choice([Choice("day", label: "button.day"), Choice("week", label: "button.week")]))
                .action("analytics.summary", with: ["period"])
                .onSuccess(.stay(Prompt("analytics.summary", ["created": .data("created")])))
        }
        var driver = ConversationDriver(registry: FlowRegistry([flow]), services: ["analytics.summary": ServiceOutcome.always(["created": 3])])
        try driver.start("browse")
        let before = driver.state
        try driver.press(.key("button.day"))
        #expect(driver.notices == [Prompt("analytics.summary", ["created": .int(3)])])
        #expect(driver.state == before, "the period screen stays current for another choice")
        try driver.press(.key("button.week"))
        #expect(driver.calls.map(\.arguments) == [["period": "day"], ["period": "week"]])
    }

    @Test func backStaysOffWhereTheStepSwitchesItOff() throws {
        var driver = Self.shiftDriver()
        try driver.start("take_shift")
        try driver.press(.text("Mon 09:00–17:00"))
        try driver.press(.key("button.confirm"))
        let atSchedule = driver.state
        driver.send(.back)
        #expect(driver.screen?.step == "schedule")
        #expect(driver.state == atSchedule)
    }

    @Test func aStoredStateAtTheLargestVersionDoesNotTrap() throws {
        var driver = ConversationDriver()
        driver.state = ConversationState(flow: "request_status", id: "x", step: "number", version: .max)
        driver.services["request.status"] = ServiceOutcome.always()
        driver.send(.text("12"))
        #expect(driver.finished == Prompt("request.status.details", ["number": .int(12)]))
        driver.state = ConversationState(flow: "file_request", id: "x", step: "description", history: ["category"], version: .max)
        driver.send(.text("Water is leaking under the kitchen sink"))
        #expect(driver.state?.version == 0)
    }

    @Test func aStaticChoiceFeedsTheCallAndTheFinalMessage() throws {
        var driver = ConversationDriver(services: [
            "analytics.summary": { call in .success(["created": 12, "period": call.arguments["period"] ?? "?"]) },
        ])
        try driver.start("analytics")
        #expect(driver.labels == [[.key("button.day"), .key("button.week"), .key("button.month")], [.key("button.cancel")]])
        try driver.press(.key("button.week"))
        #expect(driver.calls.map(\.arguments) == [["period": "week"]])
        #expect(driver.finished == Prompt("analytics.summary", ["period": .key("analytics.period.week"), "created": .int(12)]))
    }

    @Test func aNumberIsParsedCheckedAndStoredAsAnInt() throws {
        var driver = ConversationDriver(services: [
            "request.status": { call in call.arguments["number"] == 981 ? .success() : .failure(.notFound) },
        ])
        try driver.start("request_status")
        #expect(driver.screen?.expects == .number)
        let before = driver.state
        for text in ["R-000981", "0", "1000000", "", "9.5"] {
            driver.send(.text(text))
            #expect(driver.notices == [Prompt("request.status.invalid", ["min": .int(1), "max": .int(999_999)])])
            #expect(driver.state == before)
        }
        driver.send(.text(" 42 "))
        #expect(driver.calls.last?.arguments == ["number": 42])
        #expect(driver.notices == ["request.status.unknown"], "not found stays, with the flow's own message")
        #expect(driver.state == before)
        driver.send(.text("981"))
        #expect(driver.finished == Prompt("request.status.details", ["number": .int(981)]))
    }

    @Test func aChoiceBranchesToContactOrLocation() throws {
        var phone = ConversationDriver()
        try phone.start("reach")
        try phone.press(.key("reach.phone"))
        #expect(phone.screen?.expects == .contact)
        phone.send(.location(latitude: 41.3, longitude: 69.2))
        #expect(phone.notices == ["reach.contact.hint"])
        phone.send(.contact(phone: "+998901234567"))
        #expect(phone.finished == "reach.thanks")

        var visit = ConversationDriver()
        try visit.start("reach")
        try visit.press(.key("reach.visit"))
        #expect(visit.screen?.expects == .location)
        visit.send(.location(latitude: 41.311081, longitude: 69.240562))
        #expect(visit.finished == "reach.thanks")
    }

    @Test func aStoredLocationIsLatitudeCommaLongitude() throws {
        let flow = Flow("where") {
            Step("place", prompt: "where", accepts: .location).next("done")
            Step("done", prompt: "done", accepts: .confirm)
        }
        var driver = ConversationDriver(registry: FlowRegistry([flow]))
        try driver.start("where")
        driver.send(.location(latitude: 41.311081, longitude: -69.5))
        #expect(driver.state?.data["place"] == "41.311081,-69.5")
        #expect(driver.screen?.expects == .confirm)
    }

    @Test func aLostServiceResultMeansTheEventNeverHappened() throws {
        let runtime = FlowRuntime(SampleFlows.registry)
        var driver = try RequestFlowTests.driver(at: "confirm")
        let atConfirm = try #require(driver.state)
        let confirm = try driver.press(for: .key("button.confirm"))
        let waiting = runtime.handle(.button(confirm), state: atConfirm)
        #expect(waiting.pendingCall?.name == "request.create")
        #expect(waiting.changed)

        // The driver saved the waiting state and lost the outcome; the user presses Confirm again.
        let again = runtime.handle(.button(confirm), state: waiting.state)
        #expect(again.pendingCall == waiting.pendingCall)
        #expect(again.state == waiting.state)
        #expect(!again.changed)
        let cancelled = runtime.handle(.cancel, state: waiting.state)
        #expect(cancelled.actions == [.finished("common.cancelled")])
        driver.state = waiting.state
        driver.send(.text("yes"))
        #expect(driver.screen?.step == "confirm")
        #expect(driver.state == atConfirm)
    }

    @Test func aLostResultOfTheStartingCallLeavesNoConversation() throws {
        let runtime = FlowRuntime(SampleFlows.registry)
        let waiting = try runtime.start(flow: "file_request", id: "x")
        #expect(waiting.pendingCall?.name == "request.categories")
        #expect(runtime.handle(.text("hi"), state: waiting.state).actions == [.expired])
        #expect(runtime.handle(.cancel, state: waiting.state).actions == [.finished("common.cancelled")])
    }

    @Test func aServiceResultNobodyAskedForIsIgnored() throws {
        let runtime = FlowRuntime(SampleFlows.registry)
        let state = try RequestFlowTests.driver(at: "address").state
        let transition = runtime.handle(.serviceResult(.success(["number": 1])), state: state)
        #expect(transition.actions == [])
        #expect(transition.state == state)
        #expect(!transition.changed)
    }

    @Test func startingAnUnknownFlowThrows() {
        let runtime = FlowRuntime(FlowRegistry([SampleFlows.request, Flow("empty", steps: [])]))
        for name in ["nope", "empty"] {
            #expect {
                try runtime.start(flow: name, id: "x")
            } throws: { error in
                (error as? FlowRuntimeError)?.code == .unknownFlow
            }
        }
    }

    @Test func aStoredStateOfAFlowOrStepThatNoLongerExistsIsExpiredAndCleared() {
        let runtime = FlowRuntime(SampleFlows.registry)
        for state in [
            ConversationState(flow: "removed", id: "x", step: "a", version: 5),
            ConversationState(flow: "file_request", id: "x", step: "renamed", version: 5),
        ] {
            let transition = runtime.handle(.text("hello"), state: state)
            #expect(transition.actions == [.expired])
            #expect(transition.state == nil)
            #expect(transition.changed)
        }
    }

    @Test func startingWithDataPrefillsIt() throws {
        var driver = RequestFlowTests.driver()
        let runtime = FlowRuntime(SampleFlows.registry)
        let transition = try runtime.start(flow: "file_request", data: ["category": "heating"], id: "y")
        #expect(transition.changed)
        #expect(transition.state?.data["category"] == "heating")
        driver.state = transition.state
        driver.send(.serviceResult(.success(["categories": SampleFlows.categories])))
        #expect(driver.screen?.previous == "heating")
    }

    @Test func theAsyncDriverMakesEveryCallAndLeavesNoneInTheActions() async throws {
        let runtime = FlowRuntime(SampleFlows.registry)
        let services = Self.shiftDriver().services
        let perform: (ServiceCall) async -> ServiceOutcome = { call in services[call.name]?(call) ?? .failure(.unavailable) }
        let started = try await runtime.start(flow: "take_shift", id: "z", calling: perform)
        #expect(started.changed)
        #expect(started.actions.count == 1)
        let firstButton = try #require(started.actions.first.flatMap {
            if case .show(let screen) = $0 { screen.buttons[0][0].callbackData } else { nil }
        })
        let choose = try #require(ButtonPress.parse(firstButton))
        let chosen = await runtime.handle(.button(choose), state: started.state, calling: perform)
        #expect(chosen.changed)
        #expect(chosen.pendingCall == nil)
        #expect(chosen.state?.step == "confirm")
        #expect(chosen.actions.allSatisfy { if case .call = $0 { false } else { true } })

        let stale = await runtime.handle(.button(choose), state: chosen.state, calling: perform)
        #expect(stale.actions == [.expired])
        #expect(!stale.changed)
    }
}
