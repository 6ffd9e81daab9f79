import Conversations
import Foundation
import Gateway
import GatewayTestSupport
import Persistence
import Synchronization
import Testing

/// Where a user's `/language` choice lives: in the conversation store, read
/// without PostgreSQL; written through to `bot_sessions` behind; read back
/// from it when PostgreSQL connects.
@Suite("Chosen languages: in Redis, written through to PostgreSQL", .serialized)
struct LanguageLookupTests {
    /// An in-memory store whose chosen-language reads fail while `failing` is set.
    final class FlakyStore: ConversationStore {
        let base = InMemoryConversationStore(clock: ContinuousClock())
        let failing = Atomic(false)

        func load(_ key: ConversationStoreKey) async throws -> ConversationState? { try await self.base.load(key) }
        func save(_ state: ConversationState, for key: ConversationStoreKey, expecting expected: UInt64?) async throws {
            try await self.base.save(state, for: key, expecting: expected)
        }
        func clear(_ key: ConversationStoreKey) async throws { try await self.base.clear(key) }
        func profile(bot: String, user: Int64) async throws -> UserProfile? { try await self.base.profile(bot: bot, user: user) }
        func saveProfile(_ profile: UserProfile) async throws { try await self.base.saveProfile(profile) }
        func chosenLanguage(bot: String, user: Int64) async throws -> String? {
            if self.failing.load(ordering: .relaxed) { throw ConversationStoreError(code: .unexpectedReply, message: "test: store away") }
            return try await self.base.chosenLanguage(bot: bot, user: user)
        }
        func saveChosenLanguage(_ language: String, bot: String, user: Int64, ifAbsent: Bool) async throws {
            try await self.base.saveChosenLanguage(language, bot: bot, user: user, ifAbsent: ifAbsent)
        }
    }

    @Test("without a profile the chosen language is read from the store; a failed read is not cached")
    func failedReadIsNotCached() async throws {
        let store = FlakyStore()
        let preferences = ProfileLanguagePreferences(profiles: store, writeThrough: nil)
        try await store.saveChosenLanguage("ru", bot: "uk", user: 4242, ifAbsent: false)
        store.failing.store(true, ordering: .relaxed)
        #expect(await preferences.language(bot: BotID("uk"), userID: 4242) == nil)
        #expect(try await store.profile(bot: "uk", user: 4242) == nil, "the failure was not kept as an answer")
        store.failing.store(false, ordering: .relaxed)
        #expect(await preferences.language(bot: BotID("uk"), userID: 4242) == "ru")
        #expect(try await store.profile(bot: "uk", user: 4242)?.languageCode == "ru", "an answer is kept")
    }

    @Test("a choice is kept in the store and written through to bot_sessions; choices in bot_sessions are read back without overwriting newer ones")
    func writeThroughAndCatchUp() async throws {
        let scratch = try await ScratchDatabase.create()
        do {
            try await scratch.withDatabase { database in
                let files = try MigrationFile.load(directory: BotWorld.repository.appendingPathComponent("Migrations").path)
                _ = try await Migrator(database: database, files: files, logger: ScratchDatabase.logger).up()
                let sessions = SessionRepository(database: database, logger: ScratchDatabase.logger)
                let writer = SessionActivityWriter(store: sessions, logger: ScratchDatabase.logger)
                let store = InMemoryConversationStore(clock: ContinuousClock())
                let preferences = ProfileLanguagePreferences(profiles: store, writeThrough: writer)

                try await preferences.setLanguage("uz", bot: BotID("uk"), userID: 7, chatID: 7)
                #expect(try await store.chosenLanguage(bot: "uk", user: 7) == "uz")
                #expect(try await sessions.language(bot: "uk", telegramUserID: 7) == nil, "written behind, not in the step")
                try await writer.flush()
                #expect(try await sessions.language(bot: "uk", telegramUserID: 7) == "uz")

                // Choices PostgreSQL has and the store lost (a Redis flush), and one the store has newer.
                for (user, language) in [(8, "ru"), (9, "en"), (10, "ru")] {
                    try await sessions.upsert(SessionProfile(bot: "uk", telegramUserID: Int64(user), language: language))
                }
                try await sessions.upsert(SessionProfile(bot: "other", telegramUserID: 8, language: "uz"))
                try await store.saveChosenLanguage("uz", bot: "uk", user: 10, ifAbsent: false)
                await LanguageCatchUp.run(sessions: sessions, store: store, logger: ScratchDatabase.logger)
                #expect(try await store.chosenLanguage(bot: "uk", user: 8) == "ru")
                #expect(try await store.chosenLanguage(bot: "uk", user: 9) == "en")
                #expect(try await store.chosenLanguage(bot: "other", user: 8) == "uz")
                #expect(try await store.chosenLanguage(bot: "uk", user: 10) == "uz", "the store's newer choice stays")
                #expect(await preferences.language(bot: BotID("uk"), userID: 8) == "ru")
            }
        } catch {
            try? await scratch.drop()
            throw error
        }
        try await scratch.drop()
    }
}
