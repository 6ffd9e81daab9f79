/// Every problem ``FlowRegistry/validate(keys:)`` found, so all are fixed in one go.
/// Its `description` has one line per problem.
public struct FlowValidationError: Error, CustomStringConvertible, Sendable {
    /// The kind of problem.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case duplicateFlow
            case emptyFlow
            case duplicateStep
            case unknownStep
            case unreachableStep
            case invalidChoice
            case missingKey
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// Two flows share a name.
        public static let duplicateFlow = Code(.duplicateFlow)
        /// A flow has no steps.
        public static let emptyFlow = Code(.emptyFlow)
        /// Two steps of a flow share a name.
        public static let duplicateStep = Code(.duplicateStep)
        /// A route or choice leads to a step the flow does not have.
        public static let unknownStep = Code(.unknownStep)
        /// No route from the first step leads to the step.
        public static let unreachableStep = Code(.unreachableStep)
        /// A static choice's value is empty, repeated, not printable ASCII, or
        /// too long for `callback_data` (see ``ButtonPress/maximumChoiceValueLength``).
        public static let invalidChoice = Code(.invalidChoice)
        /// A catalog key the step shows is missing in some locales.
        public static let missingKey = Code(.missingKey)

        public var description: String { self.base.rawValue }
    }

    /// One problem, naming where it is.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        public let code: Code
        public let flow: String
        /// The step at fault, or that first shows the key; nil for a problem of the whole flow.
        public let step: String?
        /// What the problem is about: the catalog key, the unknown step's name, or the choice value.
        public let key: String?
        /// What is wrong, naming the flow, step and key.
        public let message: String

        init(_ code: Code, flow: String, step: String? = nil, key: String? = nil, _ message: String) {
            self.code = code
            self.flow = flow
            self.step = step
            self.key = key
            self.message = message
        }

        public var description: String {
            let place = self.step.map { "flow '\(self.flow)', step '\($0)'" } ?? "flow '\(self.flow)'"
            return "\(place): \(self.message)"
        }
    }

    /// The problems, flow by flow and step by step, catalog keys last.
    public let problems: [Problem]

    public var description: String {
        self.problems.map(\.description).joined(separator: "\n")
    }
}
