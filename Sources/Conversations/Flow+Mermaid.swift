extension Flow {
    /// The flow as a Mermaid `stateDiagram-v2`, titled with its name: `[*]`
    /// into the first step; each step's edges labelled by the input that takes
    /// them (`text`, `choice`, a branching choice's value, `Confirm`, …), with
    /// `success` or the failure kind after an action (`failure` for the kinds
    /// that stay by default); then its **Back** edges to the steps that lead
    /// to it, and its **Cancel** edge to `[*]`.
    public func mermaid() -> String {
        var lines = ["---", "title: \(self.name)", "---", "stateDiagram-v2"]
        if let first = self.steps.first {
            lines.append("    [*] --> \(Self.mermaidID(first.name))")
        }
        var predecessors: [String: [String]] = [:]
        for step in self.steps {
            for target in step.targets where target != step.name && !(predecessors[target, default: []].contains(step.name)) {
                predecessors[target, default: []].append(step.name)
            }
        }
        for step in self.steps {
            let id = Self.mermaidID(step.name)
            for (label, route) in step.labelledRoutes {
                let target = switch route {
                case .step(let name): Self.mermaidID(name)
                case .finish: "[*]"
                case .stay: id
                }
                lines.append("    \(id) --> \(target): \(label)")
            }
            if step.showsBack {
                for predecessor in predecessors[step.name, default: []] {
                    lines.append("    \(id) --> \(Self.mermaidID(predecessor)): Back")
                }
            }
            if step.showsCancel {
                lines.append("    \(id) --> [*]: Cancel")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A step name as a Mermaid state id: letters, digits and underscores.
    private static func mermaidID(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }
}

extension FlowRegistry {
    /// Every flow's diagram (``Flow/mermaid()``) as Markdown: a heading and a
    /// `mermaid` block per flow, ready for `bot-gateway flows --mermaid > flows.md`.
    public func mermaid() -> String {
        self.flows.map { "## \($0.name)\n\n```mermaid\n\($0.mermaid())```\n" }.joined(separator: "\n")
    }
}

extension Step {
    /// The step's forward edges with their labels, in a fixed order.
    fileprivate var labelledRoutes: [(label: String, route: Route)] {
        var accepted: [(label: String, route: Route)]
        switch self.input.rule {
        case .choice(let choices, _):
            accepted = choices.compactMap { choice in choice.next.map { (choice.value, Route.step($0)) } }
            if choices.isEmpty || choices.contains(where: { $0.next == nil }) {
                accepted.append(("choice", self.next))
            }
        case .photos(_, skip: true, _):
            accepted = [("photos or Skip", self.next)]
        case .text, .number, .dynamicChoice, .photos, .contact, .location, .confirm:
            accepted = [(self.input.kind.edgeLabel, self.next)]
        }
        guard self.action != nil else { return accepted }
        var edges = if let success = self.successRoute {
            [("\(self.input.kind.edgeLabel), success", success)]
        } else {
            accepted.map { ("\($0.label), success", $0.route) }
        }
        for failure in ServiceFailure.allCases {
            if let route = self.failureRoutes[failure] {
                edges.append((failure.description, route))
            }
        }
        if self.failureRoutes.count < ServiceFailure.allCases.count {
            edges.append(("failure", .stay()))
        }
        return edges
    }
}

extension InputKind {
    fileprivate var edgeLabel: String {
        switch self {
        case .photo: "photos"
        case .confirm: "Confirm"
        case .text, .number, .choice, .contact, .location: self.rawValue
        }
    }
}
