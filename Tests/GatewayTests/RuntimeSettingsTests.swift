import Foundation
import Gateway
import GatewayTestSupport
import Logging
import RedisClient
import Synchronization
import Testing

/// `/settings`' values, stores and their failure: what a setting takes,
/// the two stores agreeing, and a store that does not answer changing nothing.
@Suite("Run-time settings")
struct RuntimeSettingsTests {
    static let bot = BotID("uk")
    static let admin = AdminAudit.Admin(id: 1, name: "Olga")

    @Test("each setting refuses what it does not take, naming what it does")
    func validation() throws {
        #expect(throws: SettingsError.self) { try AdminSetting.messagesPerMinute.validate("0") }
        #expect(throws: SettingsError.self) { try AdminSetting.messagesPerMinute.validate("601") }
        #expect(throws: SettingsError.self) { try AdminSetting.messagesPerHour.validate("99999999999999999999999") }
        #expect(throws: SettingsError.self) { try AdminSetting.commandsPerMinute.validate("5.5") }
        #expect(throws: SettingsError.self) { try AdminSetting.maintenance.validate("yes") }
        #expect(throws: SettingsError.self) { try AdminSetting.maintenanceMessage.validate(String(repeating: "x", count: 1001)) }
        #expect(throws: SettingsError.self) { try AdminSetting.defaultLanguage.validate("en; DROP") }
        #expect(try AdminSetting.messagesPerMinute.validate("600") == "600")
        #expect(try AdminSetting.defaultLanguage.validate(nil) == nil, "nil clears any setting")
        do {
            try AdminSetting.commandsPerMinute.validate("0")
        } catch {
            #expect(error.message == "rate_limit.commands_per_minute takes a whole number from 1 to 300")
        }
    }

    @Test("stored fields are read leniently: an edit by hand that is out of bounds is ignored; limits override the environment's one by one")
    func fields() {
        let settings = AdminSettings(fields: [
            "maintenance": "on", "rate_limit.messages_per_minute": "30", "rate_limit.messages_per_hour": "-4", "unknown": "x", "default_language": "ru",
        ])
        #expect(settings.maintenance)
        #expect(settings.messagesPerHour == nil)
        #expect(settings.defaultLanguage == "ru")
        let policy = settings.rateLimits(over: RateLimitPolicy(messagesPerMinute: 20, messagesPerHour: 100, commandsPerMinute: 5))
        #expect(policy == RateLimitPolicy(messagesPerMinute: 30, messagesPerHour: 100, commandsPerMinute: 5))
    }

    enum Kind: CaseIterable { case memory, redis }

    static func withStore(_ kind: Kind, _ body: (any AdminSettingsStore) async throws -> Void) async throws {
        switch kind {
        case .memory:
            try await body(InMemoryAdminSettingsStore())
        case .redis:
            let client = RedisClient(configuration: try DurableTests.sharedRedis(), logger: DurableTests.logger)
            let prefix = "settings-\(UUID().uuidString.prefix(8))"
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                defer { group.cancelAll() }
                try await body(RedisAdminSettingsStore(client: client, keyPrefix: prefix))
                try await TestRedis.deleteKeys(prefix: prefix, on: client)
            }
        }
    }

    @Test("a change returns the value it replaced; another instance reads it at its next poll; the maintenance notice is claimed once per window", arguments: Kind.allCases)
    func stores(kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            let audit = AdminAudit(repository: nil, logger: DurableTests.logger)
            let here = RuntimeSettings(store: store, bots: [Self.bot], audit: audit, logger: DurableTests.logger)
            let there = RuntimeSettings(store: store, bots: [Self.bot], audit: audit, logger: DurableTests.logger)
            try await here.change(.messagesPerMinute, to: "30", bot: Self.bot, by: Self.admin)
            #expect(here.settings(for: Self.bot).messagesPerMinute == 30, "applied here at once")
            #expect(there.settings(for: Self.bot).messagesPerMinute == nil)
            try await there.refresh()
            #expect(there.settings(for: Self.bot).messagesPerMinute == 30)
            #expect(try await store.set(.messagesPerMinute, to: "45", bot: Self.bot) == ("30", 2))
            #expect(try await store.set(.messagesPerMinute, to: nil, bot: Self.bot) == ("45", 3))
            #expect(try await store.set(.messagesPerMinute, to: nil, bot: Self.bot) == (nil, 4))
            #expect(try await store.fields(of: BotID("other")).isEmpty)

            #expect(try await store.claimMaintenanceNotice(user: 5, bot: Self.bot, window: .seconds(600)))
            #expect(try await !store.claimMaintenanceNotice(user: 5, bot: Self.bot, window: .seconds(600)))
            #expect(try await store.claimMaintenanceNotice(user: 6, bot: Self.bot, window: .seconds(600)))
            #expect(try await store.claimMaintenanceNotice(user: 7, bot: Self.bot, window: .milliseconds(1)))
            try await Task.sleep(for: .milliseconds(20))
            #expect(try await store.claimMaintenanceNotice(user: 7, bot: Self.bot, window: .milliseconds(1)), "again once the window passed")
        }
    }

    /// A store whose reads answer what was stored when they started, like a poll in flight during a change.
    final class SlowReads: AdminSettingsStore {
        let inner = InMemoryAdminSettingsStore()
        let staleRead = Mutex<[String: String]?>(nil)
        func fields(of bot: BotID) async throws -> [String: String] {
            if let stale = self.staleRead.withLock({ $0 }) { return stale }
            return try await self.inner.fields(of: bot)
        }
        func set(_ setting: AdminSetting, to value: String?, bot: BotID) async throws -> (before: String?, version: Int) {
            try await self.inner.set(setting, to: value, bot: bot)
        }
        func claimMaintenanceNotice(user: Int64, bot: BotID, window: Duration) async throws -> Bool { true }
    }

    @Test("a poll that read before a change made here does not undo it here")
    func stalePoll() async throws {
        let store = SlowReads()
        let settings = RuntimeSettings(store: store, bots: [Self.bot], audit: AdminAudit(repository: nil, logger: DurableTests.logger), logger: DurableTests.logger)
        try await settings.change(.messagesPerMinute, to: "30", bot: Self.bot, by: Self.admin)
        let before = try await store.inner.fields(of: Self.bot)
        store.staleRead.withLock { $0 = before }
        try await settings.change(.messagesPerMinute, to: "45", bot: Self.bot, by: Self.admin)
        try await settings.refresh()
        #expect(settings.settings(for: Self.bot).messagesPerMinute == 45, "the read of version 1 is older than the change to 45")
        store.staleRead.withLock { $0 = nil }
        try await settings.refresh()
        #expect(settings.settings(for: Self.bot).messagesPerMinute == 45)
    }

    struct DownStore: AdminSettingsStore {
        struct Down: Error {}
        func fields(of bot: BotID) async throws -> [String: String] { throw Down() }
        func set(_ setting: AdminSetting, to value: String?, bot: BotID) async throws -> (before: String?, version: Int) { throw Down() }
        func claimMaintenanceNotice(user: Int64, bot: BotID, window: Duration) async throws -> Bool { throw Down() }
    }

    @Test("a store that does not answer: the change is refused as storeUnavailable and nothing changes; the notice is sent rather than withheld")
    func storeDown() async throws {
        let settings = RuntimeSettings(store: DownStore(), bots: [Self.bot], audit: AdminAudit(repository: nil, logger: DurableTests.logger), logger: DurableTests.logger)
        do {
            try await settings.change(.maintenance, to: "on", bot: Self.bot, by: Self.admin)
            Issue.record("the change went through")
        } catch {
            #expect(error.code == .storeUnavailable)
        }
        #expect(!settings.settings(for: Self.bot).maintenance)
        await #expect(throws: DownStore.Down.self) { try await settings.refresh() }
        #expect(await settings.claimMaintenanceNotice(user: 5, bot: Self.bot))
    }
}
