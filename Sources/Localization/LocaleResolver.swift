/// Chooses the locale to answer a user in.
public enum LocaleResolver {
    /// The user's stored choice if it is supported, else Telegram's
    /// `language_code` if it is, else `defaultLocale`. Both are matched with
    /// ``match(_:in:)``, so `ru-RU` picks `ru`.
    public static func resolve(
        stored: String?,
        telegram languageCode: String?,
        supported: [LocaleCode],
        default defaultLocale: LocaleCode
    ) -> LocaleCode {
        stored.flatMap { self.match($0, in: supported) }
            ?? languageCode.flatMap { self.match($0, in: supported) }
            ?? defaultLocale
    }

    /// The supported locale for `tag`: the same tag, else one with the same
    /// language subtag, the bare language first (`ru-RU` → `ru`); nil when
    /// `tag` is not a language tag or its language is not supported.
    public static func match(_ tag: String, in supported: [LocaleCode]) -> LocaleCode? {
        guard let code = LocaleCode(tag) else {
            return nil
        }
        if supported.contains(code) {
            return code
        }
        let sameLanguage = supported.filter { $0.language == code.language }
        return sameLanguage.first { $0.identifier == $0.language } ?? sameLanguage.min()
    }
}
