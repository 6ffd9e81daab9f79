import Foundation
import GatewayTestSupport
import RedisClient
import TelegramEmulator
import Testing

/// The gateway on a real Redis Cluster (three primaries, three replicas),
/// configured as an operator would: `REDIS_URL` for the credentials,
/// `REDIS_CLUSTER_NODES` for the seeds.
@Suite(.serialized, BotWorld.logsOnFailure) struct ClusterDeploymentTests {
    @Test(
        "two gateways on a cluster, 100 users filing requests; one gateway kill -9ed and restarted, one Redis primary kill -9ed: every request completes once",
        .timeLimit(.minutes(4)))
    func happyPathThroughFailures() async throws {
        let cluster = try await TestRedisCluster()
        // While a primary's slots wait for its replica (about 3 s), the webhook
        // answers 500 and Telegram tries again, for far longer than this.
        let webhook = FakeTelegram.WebhookSettings(maxAttempts: 30, maxBackoff: .seconds(1))
        try await BotWorld.run(.init(webhook: webhook, redisCluster: cluster)) { world in
            #expect(world.redis.isCluster)
            let second = try await world.startGateway()
            let users = (0..<100).map { world.privateUser(id: 9100 + Int64($0), firstName: "C\($0)") }
            let memoryBefore = try await cluster.usedMemoryOfPrimaries()
            let latencies = Locked<[Duration]>([])
            try await withThrowingTaskGroup(of: Void.self) { group in
                for user in users {
                    group.addTask {
                        let durations = try await CrashRecoveryTests.fileARequest(user, world: world, stepTimeout: .seconds(30))
                        latencies.withLock { $0 += durations }
                    }
                }
                try await Task.sleep(for: .seconds(2))
                try await second.kill()
                try await world.startGateway()
                try await Task.sleep(for: .seconds(1))
                // The primary of the bot's queues: the busiest node.
                let victim = try await cluster.primary(forSlot: HashSlot.of(world.keys.bot(.single).runnable))
                cluster.kill(victim)
                try await group.waitForAll()
            }
            let all = latencies.withLock { $0 }.sorted()
            let perConversation = (try await cluster.usedMemoryOfPrimaries() - memoryBefore) / users.count
            let keys = Set(world.services.calls(.createRequest).compactMap(\.idempotencyKey))
            print("""
                UK happy path on a Redis Cluster, 2 gateways, 100 users, a gateway and a primary killed: \
                \(world.services.requestCount) requests, \(all.count) steps, p50 \(all[all.count / 2]) \
                p99 \(all[all.count * 99 / 100]) worst \(all.last ?? .zero); \
                Redis memory per resident after a request: \(perConversation) bytes
                """)
            #expect(keys.count == users.count, "one request per user")
            for key in keys {
                #expect(world.services.creationCount(idempotencyKey: key) == 1)
            }
            #expect(world.services.requestCount == users.count, "no request created twice")
        }
    }
}
