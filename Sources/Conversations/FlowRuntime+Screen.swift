extension FlowRuntime {
    /// The screen of `step` in `state`: its prompt (or `prompt`), resolved,
    /// and its buttons carrying the state's version.
    func screen(_ step: Step, state: ConversationState, prompt: Prompt? = nil) -> Screen {
        let version = state.version
        func button(_ label: ButtonLabel, _ value: ButtonPress.Value) -> ScreenButton {
            ScreenButton(label: label, press: ButtonPress(version: version, value: value))
        }
        var rows: [[ScreenButton]] = []
        switch step.input.rule {
        case .choice(let choices, let columns):
            rows += choices.map { button($0.label, .choice($0.value)) }.rows(of: columns)
        case .dynamicChoice(let key, _, let columns):
            if case .options(let options) = state.data[key] {
                rows += options.enumerated().map { button(.text($1.label), .option($0)) }.rows(of: columns)
            }
        case .photos(_, skip: true, _):
            rows.append([button(.key(self.messages.skip), .skip)])
        case .confirm:
            rows.append([button(.key(self.messages.confirm), .confirm)])
        case .text, .number, .photos, .contact, .location:
            break
        }
        var controls: [ScreenButton] = []
        if step.showsBack, !state.history.isEmpty {
            controls.append(button(.key(self.messages.back), .back))
        }
        if step.showsCancel {
            controls.append(button(.key(self.messages.cancel), .cancel))
        }
        if !controls.isEmpty {
            rows.append(controls)
        }
        return Screen(
            flow: state.flow,
            step: step.name,
            prompt: (prompt ?? step.prompt).resolved(in: state.data),
            buttons: rows,
            expects: step.input.kind,
            previous: self.previousInput(of: step, in: state)
        )
    }

    /// What was entered at `step` before, as the user saw it: for a dynamic
    /// choice the option's label (the value is a service's code, such as
    /// `plumbing`, in no one's language), else the stored value.
    private func previousInput(of step: Step, in state: ConversationState) -> FlowValue? {
        guard step.input.stores else { return nil }
        if case .dynamicChoice = step.input.rule, let label = state.data["\(step.storeKey).label"] {
            return label
        }
        return state.data[step.storeKey]
    }
}

extension Array {
    /// The elements in rows of `columns`, the last row possibly shorter.
    fileprivate func rows(of columns: Int) -> [[Element]] {
        stride(from: 0, to: self.count, by: columns).map { Array(self[$0..<Swift.min($0 + columns, self.count)]) }
    }
}
