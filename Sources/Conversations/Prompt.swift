/// A text to show: a catalog key and the values of its `{placeholders}`.
///
/// In a flow definition the arguments may refer to the conversation's data;
/// the runtime resolves those references before a prompt leaves it, so a
/// renderer only ever sees ``PromptArgument/value(_:)`` and
/// ``PromptArgument/key(_:)``.
public struct Prompt: Sendable, Hashable {
    /// The catalog key, such as `request.description.prompt`.
    public var key: String
    /// The placeholder values by name.
    public var arguments: [String: PromptArgument]

    /// Creates a prompt.
    public init(_ key: String, _ arguments: [String: PromptArgument] = [:]) {
        self.key = key
        self.arguments = arguments
    }
}

extension Prompt: ExpressibleByStringLiteral {
    /// A prompt without arguments: `"request.category.prompt"`.
    public init(stringLiteral key: String) {
        self.init(key)
    }
}

/// The value of one placeholder of a ``Prompt``.
public enum PromptArgument: Sendable, Hashable {
    /// A value shown as it is (an `.int` also picks the plural form).
    case value(FlowValue)
    /// Another catalog key, shown in the user's language.
    case key(String)
    /// The conversation data under this key; resolved by the runtime, left
    /// out when the data has no such key.
    case data(String)
    /// The number of items in the list under this data key (0 when absent);
    /// resolved by the runtime to an `.int` value.
    case count(String)
    /// The catalog key `prefix` + the text under the data key (`analytics.period.`
    /// + `week`); resolved by the runtime to a ``key(_:)``.
    case dataKey(prefix: String, data: String)

    /// A literal text.
    public static func text(_ text: String) -> PromptArgument {
        .value(.string(text))
    }

    /// A literal number.
    public static func int(_ number: Int) -> PromptArgument {
        .value(.int(number))
    }
}

extension Prompt {
    /// The prompt with every data reference replaced by what `data` holds.
    func resolved(in data: [String: FlowValue]) -> Prompt {
        var resolved = Prompt(self.key)
        for (name, argument) in self.arguments {
            switch argument {
            case .value, .key:
                resolved.arguments[name] = argument
            case .data(let dataKey):
                if let value = data[dataKey] { resolved.arguments[name] = .value(value) }
            case .count(let dataKey):
                resolved.arguments[name] = .value(.int(data[dataKey]?.count ?? 0))
            case .dataKey(let prefix, let dataKey):
                if let suffix = data[dataKey]?.string { resolved.arguments[name] = .key(prefix + suffix) }
            }
        }
        return resolved
    }

    /// The catalog keys a definition names: its own and those of `.key` arguments.
    var catalogKeys: [String] {
        [self.key] + self.arguments.keys.sorted().compactMap { name in
            if case .key(let key) = self.arguments[name] { key } else { nil }
        }
    }
}
