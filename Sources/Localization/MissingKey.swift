/// A key that some catalog has and the catalog of `locale` lacks.
public struct MissingKey: Sendable, Hashable, CustomStringConvertible {
    /// The message key, such as `request.created`.
    public var key: String
    /// The locale whose catalog lacks it.
    public var locale: LocaleCode

    public init(key: String, locale: LocaleCode) {
        self.key = key
        self.locale = locale
    }

    public var description: String {
        "\(self.key) in \(self.locale)"
    }
}
