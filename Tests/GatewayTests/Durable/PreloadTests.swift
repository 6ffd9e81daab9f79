import Conversations
import Foundation
import Gateway
import GatewayTestSupport
import RedisClient
import TelegramBotAPI
import Testing

/// Keys read in the script that leases a private chat, and writes run in the
/// script that commits its step: the locale and the rate limit then cost no
/// round trip of their own.
@Suite("Durable pipeline: values read with the state, writes with the commit")
struct PreloadTests {
    @Test(.timeLimit(.minutes(1)))
    func theLeaseReadsThePreloadKeysButNothingOutsideTheConversationsSlot() async throws {
        let configuration = DurableTests.pipeline()
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let store = RedisConversationStore(client: redis, keyPrefix: configuration.keyPrefix)
        let now = Date()
        try await store.saveProfile(UserProfile(bot: DurableTests.bot.name, user: 801, languageCode: "uz", firstSeen: now, lastSeen: now))
        let counter = "{\(configuration.keyPrefix):\(DurableTests.bot.name):801}:counter"
        try await redis.send(["SET", .string(counter), "7", "PX", 60_000])
        let inbox = RedisInbox(client: redis, configuration: configuration, logger: DurableTests.logger) { bot, conversation, _ in
            // Chat 802's keys name another user's slot: they must not be read.
            let user = conversation == "802" ? 801 : Int64(conversation)!
            return [store.profileKey(bot: bot.name, user: user), "{\(configuration.keyPrefix):\(bot.name):\(user)}:counter"]
        }
        let seen = Locked<[Int64: [PreloadedValue]]>([:])
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { item in
            seen.withLock { $0[item.delivery.update.chat?.id ?? 0] = item.preloaded }
            return .unchanged
        }
        // Chats 801 to 803 before the dispatcher runs (the ready list and the
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
        let first = try #require(values[801])
        let profile = try #require(first.value(forKey: store.profileKey(bot: DurableTests.bot.name, user: 801)))
        #expect(try store.decodeProfile(try #require(profile.value)).languageCode == "uz")
        let count = try #require(first.value(forKey: counter))
        #expect(count.value == Array("7".utf8))
        #expect(count.millisecondsToLive > 0 && count.millisecondsToLive <= 60_000)
        #expect(values[802] == [], "keys of another slot are not read")
        #expect(values[803] == [
            PreloadedValue(key: store.profileKey(bot: DurableTests.bot.name, user: 803), value: nil),
            PreloadedValue(key: "{\(configuration.keyPrefix):\(DurableTests.bot.name):803}:counter", value: nil),
        ])
        #expect(values[804]?.allSatisfy { $0.value == nil && $0.millisecondsToLive == -2 } == true)
        #expect(values[804]?.count == 2)
        await redis.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func theCommitRunsTheStepsWritesOnItsOwnSlotOnly() async throws {
        let configuration = DurableTests.pipeline()
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let inbox = RedisInbox(client: redis, configuration: configuration, logger: DurableTests.logger)
        let own = "{\(configuration.keyPrefix):\(DurableTests.bot.name):811}:counter"
        let foreign = "{\(configuration.keyPrefix):\(DurableTests.bot.name):812}:counter"
        let dispatcher = InboxDispatcher(inbox: inbox, bots: [DurableTests.bot], logger: DurableTests.logger) { _ in
            StepOutcome(writes: [["SET", .string(own), "0", "NX", "PX", 60_000], ["INCR", .string(own)], ["INCR", .string(foreign)]])
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            for sequence in 1...3 {
                let (update, raw) = try DurableTests.update(id: sequence, chat: 811, sequence: sequence)
                try await inbox.accept(update, raw: raw, bot: DurableTests.bot)
            }
            let deadline = ContinuousClock.now + .seconds(10)
            var counted: String?
            while ContinuousClock.now < deadline {
                counted = try await redis.send(["GET", .string(own)]).string
                if counted == "3" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(counted == "3")
            group.cancelAll()
        }
        let ttl = try #require(try await redis.send(["PTTL", .string(own)]).int)
        #expect(ttl > 0 && ttl <= 60_000)
        #expect(try await redis.send(["EXISTS", .string(foreign)]).int == 0, "a write outside the slot is dropped")
        await redis.close()
    }

    @Test(.timeLimit(.minutes(1)))
    func aPreloadedProfileAnswersTheLanguageWithoutARoundTrip() async throws {
        let redis = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
        let store = RedisConversationStore(client: redis, keyPrefix: DurableTests.pipeline().keyPrefix)
        let preferences = ProfileLanguagePreferences(profiles: store, writeThrough: nil)
        let bot = DurableTests.bot
        try await preferences.setLanguage("ru", bot: bot, userID: 901, chatID: 901)
        let key = store.profileKey(bot: bot.name, user: 901)
        let bytes = try await redis.send(["GET", .string(key)]).bytes

        let before = redis.roundTrips
        #expect(await preferences.language(bot: bot, userID: 901, preloaded: [PreloadedValue(key: key, value: bytes)]) == "ru")
        #expect(redis.roundTrips == before, "answered from the preloaded bytes")

        // Another user's record is not taken for this one's: it asks Redis.
        #expect(await preferences.language(bot: bot, userID: 902, preloaded: [PreloadedValue(key: key, value: bytes)]) == nil)
        #expect(redis.roundTrips > before)
        await redis.close()
    }
}
