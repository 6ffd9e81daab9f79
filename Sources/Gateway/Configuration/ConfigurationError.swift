/// Every problem found in the configuration, so an operator fixes them all in
/// one go. Its `description` has one line per problem, each naming the
/// variable; values of secrets are never quoted.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    /// One problem with one setting.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The environment variable (or file entry) at fault, such as `GATEWAY_PORT`.
        public var variable: String
        /// What is wrong and what is expected.
        public var message: String

        public init(variable: String, message: String) {
            self.variable = variable
            self.message = message
        }

        public var description: String { "\(self.variable): \(self.message)" }
    }

    /// The problems, in the order the variables are documented.
    public var problems: [Problem]

    public init(problems: [Problem]) {
        self.problems = problems
    }

    public var description: String {
        self.problems.map(\.description).joined(separator: "\n")
    }
}
