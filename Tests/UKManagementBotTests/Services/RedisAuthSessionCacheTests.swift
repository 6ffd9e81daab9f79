import Foundation
import Gateway
import GatewayTestSupport
import RedisClient
import ServiceClients
import TelegramEmulator
import Testing
import UKManagementBot
import UKServiceFakes

@Suite("Logins shared through Redis")
struct RedisAuthSessionCacheTests {
    private typealias H = DownstreamHarness

    @Test("a second instance reuses the first one's login; the key expires before the token does")
    func sharedAcrossInstances() async throws {
        let client = RedisClient(configuration: try TestRedis.configuration(), logger: TestRedis.logger)
        let prefix = "auth-\(UUID().uuidString.prefix(8))"
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await client.run() }
            defer { group.cancelAll() }
            try await H.run { harness in
                let cache = RedisAuthSessionCache(client: client, keyPrefix: prefix)
                let auth = AuthServiceClient(client: harness.client("auth"))
                let first = CachingAccessTokenProvider(auth: auth, shared: cache)
                let second = CachingAccessTokenProvider(auth: auth, shared: cache)
                let identity = TelegramIdentity(telegramID: H.resident.telegramID, firstName: "Alice")

                let session = try await first.session(for: identity, requestID: "uk:1")
                let token = try await second.token(for: H.resident.telegramID, forceRefresh: false)
                #expect(token == session.accessToken)
                #expect(harness.services.calls(.authTelegram).count == 1)

                let ttl = try #require(try await client.send(["PTTL", .string("{\(prefix):auth:\(H.resident.telegramID)}")]).int)
                #expect(ttl > 3_400_000 && ttl <= 3_540_000, "fresh for the lifetime minus the 60 s margin, got \(ttl) ms")

                _ = try await second.token(for: H.resident.telegramID, forceRefresh: true)
                #expect(harness.services.calls(.authTelegram).count == 2, "a forced refresh logs in again")
            }
        }
        await client.close()
    }

    @Test("an unreachable cache only costs a login")
    func brokenCache() async throws {
        let client = RedisClient(configuration: try RedisConfiguration(url: "redis://127.0.0.1:1"), logger: TestRedis.logger)
        try await H.run { harness in
            let tokens = CachingAccessTokenProvider(
                auth: AuthServiceClient(client: harness.client("auth")),
                shared: RedisAuthSessionCache(client: client, keyPrefix: "gw")
            )
            let token = try await tokens.token(for: H.executor.telegramID, forceRefresh: false)
            #expect(!token.isEmpty)
            #expect(try await tokens.token(for: H.executor.telegramID, forceRefresh: false) == token)
            #expect(harness.services.calls(.authTelegram).count == 1)
        }
    }
}
