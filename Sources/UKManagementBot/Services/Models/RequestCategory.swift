/// A kind of request residents choose from, with its name in each locale.
public struct RequestCategory: Codable, Sendable, Hashable {
    /// The code sent when creating a request, such as `plumbing`.
    public var code: String
    /// The display name by locale code, such as `["en": "Plumbing", "ru": "Сантехника"]`.
    public var names: [String: String]

    /// Creates a category.
    public init(code: String, names: [String: String]) {
        self.code = code
        self.names = names
    }

    /// The name in `locale`, else in `fallback`, else the code.
    public func name(in locale: String, fallback: String = "en") -> String {
        names[locale] ?? names[fallback] ?? code
    }
}
