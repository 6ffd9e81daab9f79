extension FlowRegistry {
    /// Checks every flow before the bot serves: each flow has steps with
    /// unique names, every route leads to an existing step, every step is
    /// reachable from the first, static choice values fit `callback_data`,
    /// and every catalog key a step can show (prompts, `.key` arguments,
    /// error and hint keys, button labels, the runtime's own ``messages``) is
    /// present in every locale. Keys built from data at run time
    /// (``PromptArgument/dataKey(prefix:data:)``) cannot be checked here.
    ///
    /// - Parameter keys: the locales missing a catalog key (empty when all have it).
    /// - Throws: ``FlowValidationError`` listing every problem.
    public func validate(keys missingLocales: (String) -> [String]) throws {
        var problems: [FlowValidationError.Problem] = []
        var flowNames: Set<String> = []
        // Each key once, named with the first step that shows it.
        var keyUsers: [(key: String, flow: String, step: String)] = []
        var seenKeys: Set<String> = []
        for flow in self.flows {
            guard flowNames.insert(flow.name).inserted else {
                problems.append(.init(.duplicateFlow, flow: flow.name, "another flow has the same name"))
                continue
            }
            problems += self.structuralProblems(of: flow)
            for step in flow.steps {
                for key in step.catalogKeys(messages: self.messages) where seenKeys.insert(key).inserted {
                    keyUsers.append((key, flow.name, step.name))
                }
            }
        }
        for user in keyUsers {
            let missing = missingLocales(user.key)
            if !missing.isEmpty {
                problems.append(.init(
                    .missingKey, flow: user.flow, step: user.step, key: user.key,
                    "catalog key '\(user.key)' is missing in \(missing.joined(separator: ", "))"
                ))
            }
        }
        if !problems.isEmpty {
            throw FlowValidationError(problems: problems)
        }
    }

    private func structuralProblems(of flow: Flow) -> [FlowValidationError.Problem] {
        guard let first = flow.steps.first else {
            return [.init(.emptyFlow, flow: flow.name, "the flow has no steps")]
        }
        var problems: [FlowValidationError.Problem] = []
        var stepNames: Set<String> = []
        for step in flow.steps {
            if !stepNames.insert(step.name).inserted {
                problems.append(.init(.duplicateStep, flow: flow.name, step: step.name, key: step.name, "another step of the flow has the same name"))
            }
            for target in step.targets where flow.step(target) == nil {
                problems.append(.init(.unknownStep, flow: flow.name, step: step.name, key: target, "leads to '\(target)', which the flow does not have"))
            }
            if case .choice(let choices, _) = step.input.rule {
                var values: Set<String> = []
                for choice in choices where !ButtonPress.isValidChoiceValue(choice.value) || !values.insert(choice.value).inserted {
                    problems.append(.init(
                        .invalidChoice, flow: flow.name, step: step.name, key: choice.value,
                        "choice value '\(choice.value)' must be unique, printable ASCII, 1 to \(ButtonPress.maximumChoiceValueLength) bytes"
                    ))
                }
            }
        }
        let reachable = flow.reachableSteps(from: first.name)
        for step in flow.steps where !reachable.contains(step.name) {
            problems.append(.init(.unreachableStep, flow: flow.name, step: step.name, key: step.name, "no route from '\(first.name)' leads here"))
        }
        return problems
    }
}

extension Flow {
    /// The steps some chain of routes leads to from `start`, `start` included.
    func reachableSteps(from start: String) -> Set<String> {
        var reached: Set<String> = [start]
        var queue = [start]
        while let name = queue.popLast() {
            for target in self.step(name)?.targets ?? [] where reached.insert(target).inserted {
                queue.append(target)
            }
        }
        return reached
    }
}

extension Step {
    /// The routes the step can take, in a fixed order.
    var routes: [Route] {
        [self.next] + (self.successRoute.map { [$0] } ?? [])
            + ServiceFailure.allCases.compactMap { self.failureRoutes[$0] }
    }

    /// The steps the step can lead to.
    var targets: [String] {
        var targets = self.routes.compactMap(\.target)
        if case .choice(let choices, _) = self.input.rule {
            targets += choices.compactMap(\.next)
        }
        return targets
    }

    /// The catalog keys the step can show.
    func catalogKeys(messages: FlowMessages) -> [String] {
        var keys = self.prompt.catalogKeys
        switch self.input.rule {
        case .text(_, let invalid), .number(_, let invalid):
            keys.append(invalid)
        case .choice(let choices, _):
            keys += choices.compactMap { if case .key(let key) = $0.label { key } else { nil } }
        case .dynamicChoice(_, let empty, _):
            keys += empty.map { [$0] } ?? []
        case .photos(_, let skip, let received):
            keys += (received.map { [$0] } ?? []) + (skip ? [messages.skip] : [])
        case .confirm:
            keys.append(messages.confirm)
        case .contact, .location:
            break
        }
        keys += self.input.hint.map { [$0] } ?? []
        keys += self.showsBack ? [messages.back] : []
        keys += self.showsCancel ? [messages.cancel] : []
        keys.append(messages.cancelled)
        for route in self.routes {
            switch route {
            case .finish(let prompt?), .stay(let prompt?): keys += prompt.catalogKeys
            case .finish(nil), .stay(nil), .step: break
            }
        }
        if self.onEnter != nil || self.action != nil {
            keys += ServiceFailure.allCases.compactMap { messages.failures[$0] } + [messages.unexpected]
        }
        return keys
    }
}

extension Step.Route {
    /// The step this route enters, if it enters one.
    var target: String? {
        if case .step(let name) = self { name } else { nil }
    }
}
