import Conversations
import Foundation
import Gateway
import RedisClient
import TelegramBotAPI
import Testing

/// The user's profile is read in the script that leases a private chat, so
/// the locale costs no round trip of its own.
@Suite("Durable pipeline: values read with the state")
struct PreloadTests {
    @Test(.timeLimit(.minutes(1)))
    func theLeaseReadsThePreloadKeyButNothingOutsideTheConversationsSlot() async throws {
        let configuration = DurableTests.pipeline()
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let store = RedisConversationStore(client: redis, keyPrefix: configuration.keyPrefix)
        let now = Date()
        try await store.saveProfile(UserProfile(bot: DurableTests.bot.name, user: 801, languageCode: "uz", firstSeen: now, lastSeen: now))
        let inbox = RedisInbox(client: redis, configuration: configuration, logger: DurableTests.logger) { bot, conversation in
            // Chat 802's key names another user's slot: it must not be read.
            conversation == "802" ? store.profileKey(bot: bot.name, user: 801) : store.preloadKey(bot: bot.name, user: Int64(conversation)!)
        }
        let seen = Locked<[Int64: PreloadedValue?]>([:])
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            seen.withLock { $0[item.delivery.update.chat?.id ?? 0] = item.preloaded }
            return .unchanged
        }
        // Chats 801 and 803 before the dispatcher runs (the ready list and the
        // lease script), 804 while it runs (leased by the append script).
        for (id, chat) in [(1, 801), (2, 802), (3, 803)] as [(Int, Int64)] {
            let (update, raw) = try DurableTests.update(id: id, chat: chat, sequence: 1)
            try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { seen.withLock { $0.count } == 3 })
            let (update, raw) = try DurableTests.update(id: 4, chat: 804, sequence: 1)
            try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
            #expect(await DurableTests.eventually(timeout: .seconds(10)) { seen.withLock { $0.count } == 4 })
            group.cancelAll()
        }
        let values = seen.withLock { $0 }
        let profile = try #require(values[801] ?? nil)
        #expect(profile.key == store.profileKey(bot: DurableTests.bot.name, user: 801))
        #expect(try store.decodeProfile(try #require(profile.value)).languageCode == "uz")
        #expect(values[802] == .some(nil), "a key of another slot is not read")
        #expect(values[803] == .some(PreloadedValue(key: store.profileKey(bot: DurableTests.bot.name, user: 803), value: nil)))
        #expect(values[804] == .some(PreloadedValue(key: store.profileKey(bot: DurableTests.bot.name, user: 804), value: nil)))
        await redis.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func aPreloadedProfileAnswersTheLanguageWithoutARoundTrip() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let store = RedisConversationStore(client: redis, keyPrefix: DurableTests.pipeline().keyPrefix)
        let preferences = ProfileLanguagePreferences(profiles: store, sessions: nil)
        let bot = DurableTests.bot
        try await preferences.setLanguage("ru", bot: bot, userID: 901, chatID: 901)
        let key = store.profileKey(bot: bot.name, user: 901)
        let bytes = try await redis.send(["GET", .string(key)]).bytes

        let before = redis.roundTrips
        #expect(await preferences.language(bot: bot, userID: 901, preloaded: PreloadedValue(key: key, value: bytes)) == "ru")
        #expect(redis.roundTrips == before, "answered from the preloaded bytes")

        // Another user's record is not taken for this one's: it asks Redis.
        #expect(await preferences.language(bot: bot, userID: 902, preloaded: PreloadedValue(key: key, value: bytes)) == nil)
        #expect(redis.roundTrips > before)
        await redis.close()
    }
}
