import Conversations
import Testing

@Suite("Validation")
struct FlowValidationTests {
    /// A catalog missing `missing` in `ru` and `uz`.
    static func catalog(missing: Set<String> = []) -> (String) -> [String] {
        { key in SampleFlows.catalog.contains(key) && !missing.contains(key) ? [] : ["ru", "uz"] }
    }

    static func problems(_ registry: FlowRegistry, catalog: (String) -> [String] = catalog()) -> [FlowValidationError.Problem] {
        do {
            try registry.validate(keys: catalog)
            return []
        } catch let error as FlowValidationError {
            return error.problems
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test func theSampleFlowsPass() throws {
        try SampleFlows.registry.validate(keys: Self.catalog())
    }

    @Test func anUnreachableStepIsNamed() {
        let flow = Flow("orphans") {
            Step("a", prompt: "request.address.prompt", accepts: .text(1...5, invalid: "request.address.invalid")).next(.finish())
            Step("b", prompt: "request.address.prompt", accepts: .confirm)
        }
        let problems = Self.problems(FlowRegistry([flow]))
        #expect(problems.map(\.code) == [.unreachableStep])
        #expect(problems.first?.step == "b")
        #expect(problems.first?.description == "flow 'orphans', step 'b': no route from 'a' leads here")
    }

    @Test func aRouteToAnUnknownStepIsNamedWherever() {
        let flow = Flow("typos") {
            Step("a", prompt: "reach.prompt", accepts: .choice([Choice("x", label: "reach.phone", next: "nowhere")]))
                .next("b")
            Step("b", prompt: "reach.prompt", accepts: .confirm)
                .action("s")
                .onSuccess(.step("gone"))
                .onFailure(.conflict, .step("lost"))
        }
        let problems = Self.problems(FlowRegistry([flow]))
        #expect(problems.map(\.code) == [.unknownStep, .unknownStep, .unknownStep])
        #expect(problems.map(\.key) == ["nowhere", "gone", "lost"])
        #expect(problems.map(\.step) == ["a", "b", "b"])
        #expect(problems.first?.description == "flow 'typos', step 'a': leads to 'nowhere', which the flow does not have")
    }

    @Test func aMissingKeyNamesFlowStepKeyAndLocales() {
        let problems = Self.problems(SampleFlows.registry, catalog: Self.catalog(missing: ["request.address.invalid", "button.skip", "error.conflict"]))
        #expect(problems.map(\.code) == [.missingKey, .missingKey, .missingKey])
        #expect(problems.map(\.key) == ["error.conflict", "request.address.invalid", "button.skip"])
        #expect(problems.map(\.step) == ["category", "address", "photo"], "a key is named with the first step that shows it")
        #expect(problems[1].description == "flow 'file_request', step 'address': catalog key 'request.address.invalid' is missing in ru, uz")
    }

    @Test func everyKindOfKeyIsChecked() {
        let flow = Flow("keys") {
            Step("a", prompt: Prompt("k.prompt", ["x": .key("k.argument"), "y": .data("d")]), accepts: .choice([
                Choice("1", label: "k.label"), Choice("2", label: .text("literal")),
            ], hint: "k.hint"))
                .action("s")
                .onSuccess(.finish(Prompt("k.done")))
                .onFailure(.notFound, .stay("k.stay"))
                .onFailure(.conflict, .step("b"))
            Step("b", prompt: "k.b", accepts: .number(1...2, invalid: "k.number"))
                .next("c")
            Step("c", prompt: "k.c", accepts: .dynamicChoice("o", empty: "k.empty"))
                .next("d")
            Step("d", prompt: "k.d", accepts: .photos(max: 2, skip: false, hint: "k.photo.hint", received: "k.received"))
                .cancel(false)
                .next(.finish("k.finish"))
        }
        let messages = FlowMessages(back: "m.back", cancel: "m.cancel", skip: "m.skip", confirm: "m.confirm", cancelled: "m.cancelled",
                                    failures: [.unavailable: "m.unavailable"], unexpected: "m.unexpected")
        let missing = Self.problems(FlowRegistry([flow], messages: messages), catalog: { _ in ["en"] })
        #expect(missing.map(\.key) == [
            "k.prompt", "k.argument", "k.label", "k.hint", "m.back", "m.cancel", "m.cancelled", "k.done", "k.stay",
            "m.unavailable", "m.unexpected", "k.b", "k.number", "k.c", "k.empty", "k.d", "k.received", "k.photo.hint", "k.finish",
        ])
        #expect(!missing.contains { $0.key == "m.skip" || $0.key == "m.confirm" }, "no step shows Skip or Confirm")
    }

    @Test func duplicateFlowsAndStepsAndEmptyFlowsAreReported() {
        let twice = Flow("twice") {
            Step("a", prompt: "reach.prompt", accepts: .confirm).next("a")
            Step("a", prompt: "reach.prompt", accepts: .confirm)
        }
        let problems = Self.problems(FlowRegistry([twice, Flow("twice", steps: []), Flow("hollow", steps: [])]))
        #expect(problems.map(\.code) == [.duplicateStep, .duplicateFlow, .emptyFlow])
        #expect(problems.map(\.flow) == ["twice", "twice", "hollow"])
    }

    @Test func choiceValuesMustFitTheCallbackData() {
        let long = String(repeating: "x", count: ButtonPress.maximumChoiceValueLength + 1)
        let flow = Flow("values") {
            Step("a", prompt: "reach.prompt", accepts: .choice([
                Choice("ok", label: "reach.phone"), Choice("ok", label: "reach.visit"), Choice("", label: "reach.phone"),
                Choice("ünï", label: "reach.phone"), Choice(long, label: "reach.phone"),
                Choice(String(repeating: "y", count: ButtonPress.maximumChoiceValueLength), label: "reach.phone"),
            ]))
        }
        let problems = Self.problems(FlowRegistry([flow]))
        #expect(problems.map(\.code) == [.invalidChoice, .invalidChoice, .invalidChoice, .invalidChoice])
        #expect(problems.map(\.key) == ["ok", "", "ünï", long])
    }

    @Test func allProblemsComeInOneError() {
        let flow = Flow("many") {
            Step("a", prompt: "nope.1", accepts: .confirm).next("zzz")
            Step("b", prompt: "nope.2", accepts: .confirm)
        }
        #expect {
            try FlowRegistry([flow]).validate(keys: Self.catalog())
        } throws: { error in
            guard let error = error as? FlowValidationError else { return false }
            return error.problems.map(\.code) == [.unknownStep, .unreachableStep, .missingKey, .missingKey]
                && error.description.split(separator: "\n").count == 4
        }
    }
}
