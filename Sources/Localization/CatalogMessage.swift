/// One entry of a catalog: a text, or the forms of a text that depends on a count.
public enum CatalogMessage: Sendable, Hashable {
    /// A text with `{name}` placeholders.
    case text(String)
    /// One text per plural category; ``Catalogs/text(_:locale:arguments:)``
    /// says which argument chooses the form.
    case plural([PluralCategory: String])

    /// The placeholder names the text, or any of its forms, uses.
    public var placeholders: Set<String> {
        switch self {
        case .text(let text):
            Set(Template.placeholders(in: text))
        case .plural(let forms):
            Set(forms.values.flatMap(Template.placeholders(in:)))
        }
    }

    /// The text to fill in: for a plural message, the form `rules` choose for
    /// the count among `arguments`, else `other`. `placeholders` are the
    /// message's own, when the caller has them at hand.
    func template(arguments: [String: MessageArgument], rules: PluralRules, placeholders: Set<String>? = nil) -> String {
        switch self {
        case .text(let text):
            return text
        case .plural(let forms):
            let category = self.count(in: arguments, placeholders: placeholders).map(rules.category(for:)) ?? .other
            // Only an unvalidated catalog lacks the category or `other`.
            return forms[category] ?? forms[.other] ?? PluralCategory.allCases.lazy.compactMap { forms[$0] }.first ?? ""
        }
    }

    /// `count` when it is an integer; otherwise the one integer argument the
    /// message has a placeholder for; nil when there is none or several.
    private func count(in arguments: [String: MessageArgument], placeholders: Set<String>?) -> Int? {
        if case .int(let count) = arguments["count"] {
            return count
        }
        // The placeholders are found by scanning the forms: not without an integer to look for.
        guard arguments.values.contains(where: { if case .int = $0 { true } else { false } }) else { return nil }
        let counts = (placeholders ?? self.placeholders).compactMap { name -> Int? in
            if case .int(let value) = arguments[name] { value } else { nil }
        }
        return counts.count == 1 ? counts[0] : nil
    }
}
