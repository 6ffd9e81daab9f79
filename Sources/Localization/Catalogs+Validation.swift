extension Catalogs {
    /// Every key that some catalog has and another lacks, with the locale
    /// lacking it, sorted by key then locale.
    public func missingKeys() -> [MissingKey] {
        self.keys.flatMap { key in
            self.locales(missing: key).map { MissingKey(key: key, locale: $0) }
        }
    }

    /// The locales whose catalog lacks `key`: all of them for a key no
    /// catalog has. Flow validation asks this for every key a flow uses.
    public func locales(missing key: String) -> [LocaleCode] {
        self.locales.filter { self[$0]?[key] == nil }
    }

    /// Checks that the catalogs agree, so no user ever sees a fallback text.
    /// Run it at start.
    ///
    /// - Throws: ``LocalizationError/Code/incompleteCatalogs`` naming, for
    ///   each key and locale at fault: a missing key; placeholders that differ
    ///   from the default locale's (or, for a key it lacks, from the first
    ///   locale's); a plural object without a category its locale's
    ///   ``PluralRules`` need, or with one they never choose; an empty text,
    ///   which Telegram would refuse to send.
    public func validate() throws(LocalizationError) {
        let problems = self.problems()
        guard problems.isEmpty else {
            throw LocalizationError(
                code: .incompleteCatalogs,
                message: "the catalogs have \(problems.count) problem(s):\n" + problems.map(\.description).joined(separator: "\n"),
                problems: problems
            )
        }
    }

    private func problems() -> [CatalogProblem] {
        var problems: [CatalogProblem] = []
        for key in self.keys {
            let present = self.locales.compactMap { locale in self[locale]?[key].map { (locale, $0) } }
            for locale in self.locales(missing: key) {
                let others = present.map(\.0.identifier).joined(separator: ", ")
                problems.append(CatalogProblem(key: key, locale: locale, message: "missing (present in \(others))"))
            }
            let (referenceLocale, reference) = present.first { $0.0 == self.defaultLocale } ?? present[0]
            for (locale, message) in present {
                if message.placeholders != reference.placeholders {
                    problems.append(
                        CatalogProblem(
                            key: key,
                            locale: locale,
                            message: "placeholders \(Self.list(message.placeholders)) differ from \(referenceLocale)'s \(Self.list(reference.placeholders))"
                        )
                    )
                }
                problems += Self.formProblems(key: key, locale: locale, message: message)
            }
        }
        return problems
    }

    private static func formProblems(key: String, locale: LocaleCode, message: CatalogMessage) -> [CatalogProblem] {
        var problems: [CatalogProblem] = []
        let texts: [String]
        switch message {
        case .text(let text):
            texts = [text]
        case .plural(let forms):
            texts = Array(forms.values)
            let required = PluralRules(locale: locale).categories
            let missing = required.filter { forms[$0] == nil }
            let unused = PluralCategory.allCases.filter { forms[$0] != nil && !required.contains($0) }
            let needs = required.map(\.rawValue).joined(separator: ", ")
            if !missing.isEmpty {
                let names = missing.map(\.rawValue).joined(separator: ", ")
                problems.append(CatalogProblem(key: key, locale: locale, message: "plural form(s) \(names) missing; \(locale) needs \(needs)"))
            }
            if !unused.isEmpty {
                let names = unused.map(\.rawValue).joined(separator: ", ")
                problems.append(CatalogProblem(key: key, locale: locale, message: "plural form(s) \(names) never chosen; \(locale) uses \(needs)"))
            }
        }
        if texts.contains(where: { $0.allSatisfy(\.isWhitespace) }) {
            problems.append(CatalogProblem(key: key, locale: locale, message: "empty text; Telegram refuses an empty message"))
        }
        return problems
    }

    private static func list(_ placeholders: Set<String>) -> String {
        placeholders.isEmpty ? "(none)" : placeholders.sorted().map { "{\($0)}" }.joined(separator: ", ")
    }
}
