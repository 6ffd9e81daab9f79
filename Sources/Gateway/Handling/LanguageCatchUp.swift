public import Conversations
public import Logging
public import Persistence

/// Copies the languages users chose from `bot_sessions` into the
/// conversation store, without overwriting a choice the store already has
/// (it is the newer one: choices are written to the store first and to
/// PostgreSQL behind). Run when PostgreSQL connects, so choices survive a
/// Redis flush without a PostgreSQL read in any step.
public enum LanguageCatchUp {
    /// Rows read per query.
    public static let pageSize = 1000

    /// Copies every stored choice; logs how many and stops at the first error
    /// (the store keeps what was copied; the next connect copies again).
    public static func run(sessions: SessionRepository, store: any ConversationStore, logger: Logger) async {
        var cursor: SessionRepository.LanguageCursor?
        var copied = 0
        do {
            while true {
                let page = try await sessions.chosenLanguages(after: cursor, limit: Self.pageSize)
                for choice in page {
                    try await store.saveChosenLanguage(choice.language, bot: choice.bot, user: choice.user, ifAbsent: true)
                }
                copied += page.count
                guard page.count == Self.pageSize, let last = page.last else { break }
                cursor = .init(bot: last.bot, user: last.user)
            }
            logger.info("chosen languages read back from PostgreSQL", metadata: ["users": "\(copied)"])
        } catch {
            logger.warning(
                "reading chosen languages back from PostgreSQL stopped",
                metadata: ["copied": "\(copied)", "error": "\(PostgresErrorMessage.kind(of: error))"]
            )
        }
    }
}
