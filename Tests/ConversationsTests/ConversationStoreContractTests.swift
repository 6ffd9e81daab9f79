import Conversations
import Foundation
import Testing

/// One contract, run against every ``ConversationStore`` (the Redis one when
/// `REDIS_URL` is set; "Redis conversation store" says so when it is not).
@Suite("Conversation store contract", .serialized)
struct ConversationStoreContractTests {
    static let key = ConversationStoreKey(bot: "uk", conversation: "100:200")

    static func state(version: UInt64, step: String = "description", note: String = "x") -> ConversationState {
        ConversationState(flow: "file_request", id: "run", step: step, data: ["note": .string(note)], history: ["category"], version: version)
    }

    static func profile(user: Int64 = 200, language: String? = "uz") -> UserProfile {
        UserProfile(
            bot: "uk",
            user: user,
            languageCode: language,
            roles: ["executor", "manager"],
            firstSeen: Date(timeIntervalSince1970: 1_700_000_000.25),
            lastSeen: Date(timeIntervalSince1970: 1_700_086_400.5)
        )
    }

    static func isError(_ code: ConversationStoreError.Code) -> (any Error) -> Bool {
        { ($0 as? ConversationStoreError)?.code == code }
    }

    @Test(arguments: StoreKind.tested)
    func loadSaveAndClear(kind: StoreKind) async throws {
        try await kind.withStore { fixture in
            let store = fixture.store
            #expect(try await store.load(Self.key) == nil)
            try await store.save(Self.state(version: 10), for: Self.key, expecting: nil)
            #expect(try await store.load(Self.key) == Self.state(version: 10))
            try await store.save(Self.state(version: 11, step: "address"), for: Self.key, expecting: 10)
            #expect(try await store.load(Self.key) == Self.state(version: 11, step: "address"))
            #expect(try await store.load(ConversationStoreKey(bot: "uk", conversation: "100:201")) == nil)
            #expect(try await store.load(ConversationStoreKey(bot: "other", conversation: "100:200")) == nil)
            try await store.clear(Self.key)
            #expect(try await store.load(Self.key) == nil)
            try await store.clear(Self.key)
        }
    }

    @Test(arguments: StoreKind.tested)
    func aStaleSaveIsAConflictAndChangesNothing(kind: StoreKind) async throws {
        try await kind.withStore { fixture in
            let store = fixture.store
            try await store.save(Self.state(version: 10), for: Self.key, expecting: nil)
            await #expect(performing: { try await store.save(Self.state(version: 11), for: Self.key, expecting: nil) }, throws: Self.isError(.conflict))
            await #expect(performing: { try await store.save(Self.state(version: 11), for: Self.key, expecting: 9) }, throws: Self.isError(.conflict))
            #expect(try await store.load(Self.key) == Self.state(version: 10))
            try await store.clear(Self.key)
            await #expect(performing: { try await store.save(Self.state(version: 11), for: Self.key, expecting: 10) }, throws: Self.isError(.conflict))
            #expect(try await store.load(Self.key) == nil)
        }
    }

    @Test(arguments: StoreKind.tested)
    func ofRacingSavesWithOneExpectedVersionExactlyOneWins(kind: StoreKind) async throws {
        try await kind.withStore { fixture in
            let store = fixture.store
            let base = ConversationState.initialVersion(for: "race")
            try await store.save(Self.state(version: base), for: Self.key, expecting: nil)
            let winners = try await withThrowingTaskGroup(of: String?.self) { group in
                for racer in 0..<24 {
                    group.addTask {
                        do {
                            try await store.save(Self.state(version: base + 1, note: "racer \(racer)"), for: Self.key, expecting: base)
                            return "racer \(racer)"
                        } catch let error as ConversationStoreError where error.code == .conflict {
                            return nil
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { if let winner = $1 { $0.append(winner) } }
            }
            #expect(winners.count == 1)
            #expect(try await store.load(Self.key)?.data["note"] == winners.first.map { .string($0) })
        }
    }

    @Test(arguments: StoreKind.tested)
    func statesAndProfilesExpireAfterTheirTTLs(kind: StoreKind) async throws {
        // Wide margins before each "still there" check: on Redis the time is real.
        try await kind.withStore(fsmTTL: .seconds(1), sessionTTL: .seconds(3)) { fixture in
            let store = fixture.store
            try await store.save(Self.state(version: 1), for: Self.key, expecting: nil)
            try await store.saveProfile(Self.profile())
            try await fixture.advance(.milliseconds(600))
            try await store.save(Self.state(version: 2), for: Self.key, expecting: 1)
            try await fixture.advance(.milliseconds(600))
            #expect(try await store.load(Self.key)?.version == 2, "a save starts the TTL again")
            try await fixture.advance(.milliseconds(600))
            #expect(try await store.load(Self.key) == nil)
            try await store.save(Self.state(version: 7), for: Self.key, expecting: nil)
            #expect(try await store.profile(bot: "uk", user: 200) != nil, "the session outlives the FSM state")
            try await fixture.advance(.milliseconds(1300))
            #expect(try await store.profile(bot: "uk", user: 200) == nil)
        }
    }

    @Test(arguments: StoreKind.tested)
    func aProfileRoundTrips(kind: StoreKind) async throws {
        try await kind.withStore { fixture in
            let store = fixture.store
            #expect(try await store.profile(bot: "uk", user: 200) == nil)
            try await store.saveProfile(Self.profile())
            #expect(try await store.profile(bot: "uk", user: 200) == Self.profile())
            try await store.saveProfile(Self.profile(language: nil))
            #expect(try await store.profile(bot: "uk", user: 200) == Self.profile(language: nil))
            try await store.saveProfile(Self.profile(user: 201, language: "ru"))
            #expect(try await store.profile(bot: "uk", user: 201)?.languageCode == "ru")
            #expect(try await store.profile(bot: "uk", user: 200)?.languageCode == nil)
            #expect(try await store.profile(bot: "other", user: 200) == nil)
        }
    }

    @Test("a chosen language outlives the profile's TTL; ifAbsent keeps a newer choice", arguments: StoreKind.tested)
    func aChosenLanguageIsKeptWithoutExpiry(kind: StoreKind) async throws {
        try await kind.withStore(fsmTTL: .seconds(1), sessionTTL: .seconds(1)) { fixture in
            let store = fixture.store
            #expect(try await store.chosenLanguage(bot: "uk", user: 200) == nil)
            try await store.saveChosenLanguage("ru", bot: "uk", user: 200, ifAbsent: false)
            try await store.saveChosenLanguage("en", bot: "uk", user: 200, ifAbsent: true)
            #expect(try await store.chosenLanguage(bot: "uk", user: 200) == "ru")
            try await store.saveChosenLanguage("uz", bot: "uk", user: 200, ifAbsent: false)
            try await store.saveChosenLanguage("en", bot: "uk", user: 201, ifAbsent: true)
            try await store.saveProfile(Self.profile(language: "uz"))
            try await fixture.advance(.milliseconds(1500))
            #expect(try await store.profile(bot: "uk", user: 200) == nil)
            #expect(try await store.chosenLanguage(bot: "uk", user: 200) == "uz")
            #expect(try await store.chosenLanguage(bot: "uk", user: 201) == "en")
            #expect(try await store.chosenLanguage(bot: "other", user: 200) == nil)
        }
    }

    @Test(arguments: StoreKind.tested)
    func cyrillicAndEmojiDataRoundTrip(kind: StoreKind) async throws {
        try await kind.withStore { fixture in
            try await fixture.store.save(ConversationStateCodingTests.state, for: Self.key, expecting: nil)
            #expect(try await fixture.store.load(Self.key) == ConversationStateCodingTests.state)
        }
    }

    @Test(arguments: StoreKind.tested)
    func hostileStoredBytesAreAClearErrorNotACrash(kind: StoreKind) async throws {
        try await kind.withStore { fixture in
            let store = fixture.store
            for garbage in ["not json", "{\"version\":\"1\"}", String(repeating: "[", count: 10_000), "\u{0}\u{1}"] {
                try await fixture.plantState(Array(garbage.utf8), Self.key)
                await #expect(performing: { try await store.load(Self.key) }, throws: Self.isError(.unreadable))
                await #expect(performing: { try await store.save(Self.state(version: 2), for: Self.key, expecting: 1) }, throws: Self.isError(.unreadable))
                await #expect(performing: { try await store.save(Self.state(version: 2), for: Self.key, expecting: nil) }, throws: Self.isError(.conflict))
            }
            try await store.clear(Self.key)
            try await store.save(Self.state(version: 2), for: Self.key, expecting: nil)
            #expect(try await store.load(Self.key)?.version == 2, "clearing recovers the conversation")

            try await fixture.plantState(Array(#"{"version":5,"flow":"f"}"#.utf8), Self.key)
            await #expect(performing: { try await store.load(Self.key) }, throws: Self.isError(.unreadable))
            try await store.save(Self.state(version: 6), for: Self.key, expecting: 5)
            #expect(try await store.load(Self.key)?.version == 6, "a save reads only the stored version")

            try await fixture.plantProfile(Array("{\"bot\":[]}".utf8), "uk", 200)
            await #expect(performing: { try await store.profile(bot: "uk", user: 200) }, throws: Self.isError(.unreadable))
        }
    }
}
