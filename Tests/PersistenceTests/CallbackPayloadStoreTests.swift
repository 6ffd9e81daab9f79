import Foundation
import GatewayTestSupport
import Persistence
import Testing

@Suite("Callback payloads against PostgreSQL")
struct CallbackPayloadStoreTests {
    let logger = TestDatabase.logger

    @Test func aLargePayloadRoundTripsUnderAShortToken() async throws {
        try await TestDatabase.withMigrated { database in
            let store = CallbackPayloadStore(database: database, logger: self.logger)
            let payload = #"{"action":"take_shift","shift":"S-2026-11-21-night","page":3,"filter":"#
                + String(repeating: "x", count: 300) + #""}"#
            let token = try await store.store(payload, bot: "uk", entityType: "shift", entityID: "S-2026-11-21-night")

            #expect(token.count == CallbackPayloadStore.tokenLength)
            #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
            #expect("cb:\(token)".utf8.count <= 64, "fits callback_data with a prefix")

            let stored = try #require(try await store.payload(token: token, bot: "uk"))
            #expect(stored.payload == payload)
            #expect(stored.entityType == "shift")
            #expect(stored.entityID == "S-2026-11-21-night")
            #expect(try await store.payload(token: token, bot: "another_bot") == nil)
            #expect(try await store.payload(token: "no-such-token123", bot: "uk") == nil)

            let second = try await store.store(payload, bot: "uk")
            #expect(second != token)
        }
    }

    @Test func expiredPayloadsAreNilAndPurged() async throws {
        try await TestDatabase.withMigrated { database in
            let store = CallbackPayloadStore(database: database, logger: self.logger)
            let shortLived = try await store.store("short", bot: "uk", ttl: .milliseconds(1))
            let longLived = try await store.store("long", bot: "uk", ttl: .seconds(3600))
            try await Task.sleep(for: .milliseconds(50))

            #expect(try await store.payload(token: shortLived, bot: "uk") == nil)
            #expect(try await store.purgeExpired() == 1)
            #expect(try await database.scalar("SELECT count(*) FROM inline_keyboard_cache", as: Int.self) == 1)
            #expect(try await store.payload(token: longLived, bot: "uk")?.payload == "long")
        }
    }
}
