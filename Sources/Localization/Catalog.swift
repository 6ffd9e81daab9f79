/// The messages of one locale: the contents of one catalog file.
public struct Catalog: Sendable {
    /// The locale the messages are written in.
    public let locale: LocaleCode
    /// The messages by key, such as `request.created`.
    public let messages: [String: CatalogMessage]
    /// The placeholder names of each plural message, found once here: choosing a form may need
    /// them on every render, and finding them means scanning every form.
    let pluralPlaceholders: [String: Set<String>]

    public init(locale: LocaleCode, messages: [String: CatalogMessage]) {
        self.locale = locale
        self.messages = messages
        self.pluralPlaceholders = messages.compactMapValues { message in
            if case .plural = message { message.placeholders } else { nil }
        }
    }

    /// Parses a catalog file's bytes: a JSON object of keys to strings or
    /// plural objects. `file` names the file in errors.
    ///
    /// - Throws: ``LocalizationError/Code/malformedCatalog`` with the line and
    ///   column of the first problem: invalid JSON, a top level that is not an
    ///   object, a value that is neither a string nor a plural object of
    ///   strings, an unknown plural category, or a duplicate key.
    public init(locale: LocaleCode, json: [UInt8], file: String) throws(LocalizationError) {
        var parser = CatalogParser(bytes: json, file: file)
        self.init(locale: locale, messages: try parser.parse())
    }

    /// The message for `key`, if this catalog has one.
    public subscript(key: String) -> CatalogMessage? {
        self.messages[key]
    }
}
