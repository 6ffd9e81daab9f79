/// Checking the input an event carries against the step that waits for it.
extension FlowRuntime {
    func press(_ value: ButtonPress.Value, at step: Step, in flow: Flow, state: ConversationState) -> Move? {
        switch (value, step.input.rule) {
        case (.cancel, _) where step.showsCancel:
            return self.cancelled()
        case (.back, _) where step.showsBack:
            return self.goBack(in: flow, state: state)
        case (.skip, .photos(_, skip: true, _)):
            return self.accept(state.data[step.storeKey] ?? .strings([]), at: step, in: flow, state: state)
        case (.confirm, .confirm):
            return self.accept(nil, at: step, in: flow, state: state)
        case (.choice(let value), .choice(let choices, _)):
            guard let choice = choices.first(where: { $0.value == value }) else { return nil }
            return self.accept(.string(choice.value), at: step, in: flow, state: state, next: choice.next)
        case (.option(let index), .dynamicChoice(let key, _, _)):
            guard case .options(let options) = state.data[key], options.indices.contains(index) else { return nil }
            let option = options[index]
            return self.accept(
                .string(option.value), at: step, in: flow, state: state,
                also: ["\(step.storeKey).label": .string(option.label)]
            )
        default:
            return nil
        }
    }

    func text(_ text: String, at step: Step, in flow: Flow, state: ConversationState) -> Move {
        let trimmed = text.trimmingWhitespace()
        switch step.input.rule {
        case .text(let length, let invalid):
            guard length.contains(trimmed.count) else {
                let explanation = Prompt(invalid, ["min": .int(length.lowerBound), "max": .int(length.upperBound), "length": .int(trimmed.count)])
                return Move(actions: [.notice(explanation), .show(self.screen(step, state: state))], state: state)
            }
            return self.accept(.string(trimmed), at: step, in: flow, state: state)
        case .number(let range, let invalid):
            guard let number = Int(trimmed), range.contains(number) else {
                let explanation = Prompt(invalid, ["min": .int(range.lowerBound), "max": .int(range.upperBound)])
                return Move(actions: [.notice(explanation), .show(self.screen(step, state: state))], state: state)
            }
            return self.accept(.int(number), at: step, in: flow, state: state)
        default:
            return self.wrongKind(at: step, state: state)
        }
    }

    func photo(_ fileID: String, at step: Step, in flow: Flow, state: ConversationState) -> Move {
        guard case .photos(let max, _, let received) = step.input.rule else { return self.wrongKind(at: step, state: state) }
        var photos: [String] = if case .strings(let kept) = state.data[step.storeKey], kept.count < max { kept } else { [] }
        photos.append(fileID)
        if photos.count == max {
            return self.accept(.strings(photos), at: step, in: flow, state: state)
        }
        var next = state
        next.data[step.storeKey] = .strings(photos)
        next.version &+= 1
        let prompt = received.map { Prompt($0, ["count": .int(photos.count), "max": .int(max)]) }
        return Move(actions: [.show(self.screen(step, state: next, prompt: prompt))], state: next)
    }

    func wrongKind(at step: Step, state: ConversationState) -> Move {
        // A photo step's hint may say how many photos it takes.
        let limit: [String: PromptArgument] = if case .photos(let max, _, _) = step.input.rule { ["max": .int(max)] } else { [:] }
        let hint: [FlowAction] = step.input.hint.map { [.notice(Prompt($0, limit))] } ?? []
        return Move(actions: hint + [.show(self.screen(step, state: state))], state: state)
    }
}

extension String {
    /// The text without leading and trailing whitespace and newlines.
    func trimmingWhitespace() -> String {
        let start = self.firstIndex(where: { !$0.isWhitespace }) ?? self.endIndex
        let end = self.lastIndex(where: { !$0.isWhitespace }).map { self.index(after: $0) } ?? start
        return String(self[start..<end])
    }
}
