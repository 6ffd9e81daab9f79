import Conversations
import Foundation
import Gateway
import GatewayTestSupport
import Persistence
import Testing

/// The stored `/language` choice when the user has no profile in Redis: a
/// failed PostgreSQL lookup is no answer, so it is not kept as "no language".
@Suite("Language lookup in PostgreSQL", .serialized)
struct LanguageLookupTests {
    @Test("a failed lookup is not cached; the next update asks again and finds the choice")
    func failedLookupIsNotCached() async throws {
        let scratch = try await ScratchDatabase.create()
        do {
            try await scratch.withDatabase { database in
                let store = InMemoryConversationStore(clock: ContinuousClock())
                let sessions = SessionRepository(database: database, logger: ScratchDatabase.logger)
                let preferences = ProfileLanguagePreferences(profiles: store, sessions: sessions)

                // Not migrated yet: bot_sessions does not exist, so the lookup fails.
                #expect(await preferences.language(bot: BotID("uk"), userID: 4242) == nil)
                #expect(try await store.profile(bot: "uk", user: 4242) == nil, "the failure was not kept as an answer")

                let files = try MigrationFile.load(directory: BotWorld.repository.appendingPathComponent("Migrations").path)
                _ = try await Migrator(database: database, files: files, logger: ScratchDatabase.logger).up()
                try await sessions.upsert(SessionProfile(bot: "uk", telegramUserID: 4242, language: "ru"))
                #expect(await preferences.language(bot: BotID("uk"), userID: 4242) == "ru")
                #expect(try await store.profile(bot: "uk", user: 4242)?.languageCode == "ru", "an answer is kept")
            }
        } catch {
            try? await scratch.drop()
            throw error
        }
        try await scratch.drop()
    }
}
