public import Localization
public import TelegramBotAPI

/// Chooses the language the bot answers in: the user's stored choice
/// (`/language`), else the language the user service keeps for them, else
/// Telegram's `language_code` when it is supported, else the default: the
/// one an admin chose with `/settings` when supported, else the catalogs'.
public struct LocaleMiddleware: UpdateMiddleware {
    /// Looks up the language a user chose with `/language`, if any; the
    /// context carries the bot and what the pipeline preloaded.
    public typealias StoredLanguage = @Sendable (UpdateContext, Int64) async -> String?

    private let supported: [LocaleCode]
    private let defaultLocale: LocaleCode
    private let settings: RuntimeSettings?
    private let stored: StoredLanguage

    /// Creates the middleware for the locales of the catalogs.
    public init(supported: [LocaleCode], defaultLocale: LocaleCode, settings: RuntimeSettings? = nil, stored: @escaping StoredLanguage) {
        self.supported = supported
        self.defaultLocale = defaultLocale
        self.settings = settings
        self.stored = stored
    }

    public func handle(
        _ update: Update,
        context: UpdateContext,
        next: @Sendable (Update, UpdateContext) async throws -> StepOutcome
    ) async throws -> StepOutcome {
        var context = context
        let chosenDefault = self.settings?.settings(for: context.bot).defaultLanguage.flatMap(LocaleCode.init)
        let defaultLocale = chosenDefault.flatMap { chosen in self.supported.first { $0 == chosen } } ?? self.defaultLocale
        guard let user = update.from else {
            context.locale = defaultLocale.identifier
            return try await next(update, context)
        }
        let chosen = await self.stored(context, user.id) ?? context.identity?.language
        context.locale = LocaleResolver.resolve(
            stored: chosen,
            telegram: user.languageCode,
            supported: self.supported,
            default: defaultLocale
        ).identifier
        return try await next(update, context)
    }
}
