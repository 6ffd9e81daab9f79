public import Localization

/// What a bot module adds to one of its catalog keys sent as an operator
/// API `template`: the arguments it requires, the arguments its text takes
/// that are made from them (a time shown in the user's language and zone),
/// and buttons under the message.
///
/// Any catalog key can be sent as a template; without a ``MessageTemplate``
/// its placeholders are the arguments, and it has no buttons.
public struct MessageTemplate: Sendable {
    /// A button under the message: its label (a catalog key) and the command
    /// it runs for the user, with `{argument}` placeholders.
    public struct Button: Sendable, Hashable {
        public var label: String
        public var command: String

        /// Creates a button.
        public init(label: String, command: String) {
            self.label = label
            self.command = command
        }
    }

    /// The arguments a request must give.
    public var arguments: Set<String>
    /// Rows of buttons, before any the request adds.
    public var buttons: [[Button]]
    /// The catalog text's arguments from the request's, in `locale`; a
    /// failure is the problem with an argument, as `(name, message)`.
    public var derive: @Sendable (_ arguments: [String: MessageArgument], _ locale: LocaleCode) -> Result<[String: MessageArgument], TemplateArgumentProblem>

    /// Creates a template; by default the request's arguments are the text's.
    public init(
        arguments: Set<String>, buttons: [[Button]] = [],
        derive: @escaping @Sendable ([String: MessageArgument], LocaleCode) -> Result<[String: MessageArgument], TemplateArgumentProblem> = { arguments, _ in .success(arguments) }
    ) {
        self.arguments = arguments
        self.buttons = buttons
        self.derive = derive
    }
}

/// What is wrong with one template argument.
public struct TemplateArgumentProblem: Error, Sendable, Hashable {
    /// The argument's name.
    public var argument: String
    /// What is wrong with it.
    public var message: String

    /// Creates a problem.
    public init(argument: String, message: String) {
        self.argument = argument
        self.message = message
    }
}
