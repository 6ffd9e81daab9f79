/// A conversation: named steps, starting with the first.
///
/// ```swift
/// let language = Flow("language") {
///     Step("language", prompt: "language.prompt", accepts: .choice([
///         Choice("en", label: "language.name.en"),
///         Choice("ru", label: "language.name.ru"),
///     ]))
///     .action("user.set_language", with: ["language"])
///     .onSuccess(.finish(Prompt("language.changed", ["language": .dataKey(prefix: "language.name.", data: "language")])))
/// }
/// ```
public struct Flow: Sendable {
    /// The flow's name, unique within a ``FlowRegistry``.
    public let name: String
    /// The steps in the order written; the first is where the flow starts.
    public let steps: [Step]
    private let index: [String: Int]

    /// Creates a flow from steps written one after another.
    public init(_ name: String, @StepBuilder steps: () -> [Step]) {
        self.init(name, steps: steps())
    }

    /// Creates a flow from a list of steps.
    public init(_ name: String, steps: [Step]) {
        self.name = name
        self.steps = steps
        self.index = Dictionary(steps.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The step named `name` (the first one, should two share it).
    func step(_ name: String) -> Step? {
        self.index[name].map { self.steps[$0] }
    }
}

/// Collects the steps written in a ``Flow`` body.
@resultBuilder
public enum StepBuilder {
    public static func buildBlock(_ steps: Step...) -> [Step] {
        steps
    }
}
