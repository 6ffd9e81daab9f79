/// What a button says: a catalog key, or a text shown as it is (option labels
/// a service already gave in the user's language).
public enum ButtonLabel: Sendable, Hashable {
    case key(String)
    case text(String)
}

extension ButtonLabel: ExpressibleByStringLiteral {
    /// A catalog key: `"button.day"`.
    public init(stringLiteral key: String) {
        self = .key(key)
    }
}
