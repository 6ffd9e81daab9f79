import ArgumentParser
import Foundation
import Gateway
import Logging
import RedisClient
import TelegramBotAPI

/// What the shared Telegram budget costs per send: one `RedisSendBudget.reserve`
/// is one script call, one round trip. Measured sequentially (latency of one
/// send's reservation) and from many tasks (how many reservations a second
/// one Redis serves), against a private Redis, with limits far above the
/// load so every call is granted and takes the whole path.
struct BudgetBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Cost of the shared Telegram budget per send: µs per reservation and reservations/s."
    )

    @Option(help: "Server URL; defaults to REDIS_URL.")
    var url: String?

    @Option(help: "Reservations per measurement.")
    var count: Int = 20_000

    @Option(help: "Concurrent tasks for the throughput measurement.")
    var tasks: Int = 32

    func run() async throws {
        guard let url = url ?? ProcessInfo.processInfo.environment["REDIS_URL"] else {
            throw ValidationError("give --url or set REDIS_URL (scripts/bench.sh starts a private redis-server)")
        }
        var configuration = try RedisConfiguration(url: url)
        configuration.poolSize = 4
        let redis = RedisClient(configuration: configuration, logger: Logger(label: "bench"))
        await redis.connect()
        // Limits no run reaches, so every reservation is granted and writes both buckets.
        let limits = OutboundLimiter<OutboundCall>.Configuration(
            botLimit: OutboundRateLimit(count: 10_000_000, per: .seconds(1)),
            privateChatLimit: OutboundRateLimit(count: 10_000_000, per: .seconds(1)))
        let budget = RedisSendBudget(client: redis, keyPrefix: "bench-budget-\(UUID().uuidString.prefix(6))", bot: BotID("bench"), limits: limits, logger: Logger(label: "bench"))
        let clock = ContinuousClock()
        for warmup in 0..<500 { _ = await budget.reserve(.chat(id: Int64(warmup), kind: .privateChat), priority: .high) }

        var denied = 0
        let start = clock.now
        for index in 0..<self.count {
            if case .wait = await budget.reserve(.chat(id: Int64(index % 1000), kind: .privateChat), priority: .normal) { denied += 1 }
        }
        let elapsed = clock.now - start
        let perCall = Self.microseconds(elapsed) / Double(self.count)

        let parallelStart = clock.now
        let per = self.count / self.tasks
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<self.tasks {
                group.addTask {
                    for index in 0..<per { _ = await budget.reserve(.chat(id: Int64(task * per + index), kind: .privateChat), priority: .low) }
                }
            }
        }
        let parallel = clock.now - parallelStart
        let rate = Double(per * self.tasks) / (Self.microseconds(parallel) / 1_000_000)
        print("shared Telegram budget (RedisSendBudget.reserve): 1 Redis round trip (EVALSHA) per send")
        print(String(format: "  sequential: %.1f µs per reservation over %d (%d denied)", perCall, self.count, denied))
        print(String(format: "  %d tasks: %.0f reservations/s", self.tasks, rate))
        await redis.close()
    }

    static func microseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1_000_000 + Double(duration.components.attoseconds) / 1e12
    }
}
