public import Foundation
import RedisClient

/// What `/status` shows an admin: every live instance, each bot's queues
/// and sending, and the dependencies' state — read across instances where
/// the gateway shares them (Redis), from this instance otherwise.
public struct StatusReport: Sendable, Hashable {
    /// One instance, from its heartbeat.
    public struct Instance: Sendable, Hashable {
        public var id: String
        public var pid: Int?
        /// When its process started.
        public var started: Date?
        /// Whether it is the instance answering.
        public var isThis: Bool
        /// Its last heartbeat (Redis time); nil without Redis.
        public var lastBeat: Date?
    }

    /// One bot.
    public struct Bot: Sendable, Hashable {
        public var name: String
        /// Conversations waiting for a worker; nil without Redis.
        public var waiting: Int?
        /// Conversations with replies not yet sent; nil without Redis.
        public var repliesPending: Int?
        /// Dead letters kept; nil without Redis.
        public var deadLetters: Int?
        /// Why sending is paused, as this instance sees it; nil while it sends.
        public var sendingPaused: String?
        /// Telegram's 429s in the last hour, on every live instance.
        public var rateLimitedLastHour = 0
        /// What `getWebhookInfo` says; nil in long-polling mode or when Telegram did not answer.
        public var webhook: Webhook?
    }

    /// A bot's webhook as Telegram sees it.
    public struct Webhook: Sendable, Hashable {
        /// Updates Telegram holds for the bot.
        public var pending: Int
        /// Telegram's last delivery error and when, if any.
        public var lastError: String?
        public var lastErrorAt: Date?
    }

    /// A dependency's state, as `/ready` reports it.
    public struct Dependency: Sendable, Hashable {
        public enum State: Sendable, Hashable {
            case up
            /// Down, and the gateway cannot work without it.
            case down(String)
            /// Down, and the gateway works on without it.
            case degraded(String)
        }

        public var name: String
        public var state: State
    }

    public var instances: [Instance]
    public var bots: [Bot]
    public var dependencies: [Dependency]
    /// Updates per minute, p99 handling time and the downstream services, added up over every live instance.
    public var activity: LiveStats.Summary
    /// When the report was taken.
    public var taken: Date
}

/// Asks Telegram about a bot's webhook for `/status`; nil when it is in
/// long-polling mode or Telegram did not answer.
public typealias WebhookProbe = @Sendable (BotID) async -> StatusReport.Webhook?

/// Where `/status` reads its report.
public protocol StatusSource: Sendable {
    /// The state of the gateway now.
    func report() async -> StatusReport
}

/// The report of a gateway on Redis: instances from `{p}:instances`, queue
/// depths and dead letters per bot from their keys, dependencies from this
/// instance's readiness checks.
struct RedisStatusSource: StatusSource {
    let client: RedisClient
    let keys: RedisKeyspace
    let deadLetters: RedisDeadLetterStore
    let bots: [BotID]
    let readiness: ReadinessChecks
    let instanceID: String
    let stats: LiveStats
    let webhook: WebhookProbe

    func report() async -> StatusReport {
        let instances = self.keys.instances
        var commands: [[RedisArgument]] = [
            ["ZRANGE", .string(instances.beats), 0, -1, "WITHSCORES"],
            ["HGETALL", .string(instances.info)],
            ["HGETALL", .string(instances.stats)],
        ]
        for bot in self.bots {
            commands += [
                ["ZCARD", .string(self.keys.bot(bot).runnable)],
                ["ZCARD", .string(self.keys.bot(bot).outbox)],
                ["ZCARD", .string(self.deadLetters.indexKey(of: bot))],
            ]
        }
        let replies = (try? await self.client.pipeline(commands)) ?? []
        func value(_ index: Int) -> RedisValue? {
            index < replies.count ? try? replies[index].get() : nil
        }
        let botsAt = 3
        var info: [String: [String: Any]] = [:]
        for (id, json) in value(1)?.pairs ?? [] {
            guard let id = id.string, let json = json.bytes, let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any]
            else { continue }
            info[id] = object
        }
        let live = (value(0)?.pairs ?? []).compactMap { member, score -> StatusReport.Instance? in
            guard let id = member.string else { return nil }
            return StatusReport.Instance(
                id: id,
                pid: info[id]?["pid"] as? Int,
                started: (info[id]?["started"] as? Int).map { Date(timeIntervalSince1970: TimeInterval($0)) },
                isThis: id == self.instanceID,
                lastBeat: score.string.flatMap(Double.init).map { Date(timeIntervalSince1970: $0 / 1000) })
        }
        // Every live instance's stats; this one's fresh, in case its last beat is a second old or Redis is away.
        var snapshots = [self.stats.snapshot()]
        let liveIDs = Set(live.map(\.id))
        for (id, json) in value(2)?.pairs ?? [] {
            guard let id = id.string, id != self.instanceID, liveIDs.contains(id), let json = json.bytes,
                let snapshot = try? JSONDecoder().decode(LiveStats.Snapshot.self, from: Data(json))
            else { continue }
            snapshots.append(snapshot)
        }
        let activity = LiveStats.Summary.merging(snapshots, now: Date())
        let results = await self.readiness.evaluate()
        var bots: [StatusReport.Bot] = []
        for (offset, bot) in self.bots.enumerated() {
            bots.append(StatusReport.Bot(
                name: bot.name,
                waiting: value(botsAt + offset * 3)?.int,
                repliesPending: value(botsAt + 1 + offset * 3)?.int,
                deadLetters: value(botsAt + 2 + offset * 3)?.int,
                sendingPaused: Self.paused(bot, in: results),
                rateLimitedLastHour: activity.rateLimitedLastHour[bot.name] ?? 0,
                webhook: await self.webhook(bot)))
        }
        return StatusReport(instances: live, bots: bots, dependencies: Self.dependencies(results), activity: activity, taken: Date())
    }

    static func paused(_ bot: BotID, in results: [ReadinessChecks.Result]) -> String? {
        guard let result = results.first(where: { $0.name == "bot_api_\(bot.name)" }), case .down(let reason) = result.state else { return nil }
        return reason
    }

    /// Redis and PostgreSQL, as `/ready` reports them.
    static func dependencies(_ results: [ReadinessChecks.Result]) -> [StatusReport.Dependency] {
        results.filter { ["redis", "postgresql"].contains($0.name) }.map { result in
            switch result.state {
            case .up, .counting: StatusReport.Dependency(name: result.name, state: .up)
            case .down(let reason):
                StatusReport.Dependency(name: result.name, state: result.isRequired ? .down(reason) : .degraded(reason))
            }
        }
    }
}

/// The report of a gateway without Redis: this instance alone, its queues
/// held in memory.
struct LocalStatusSource: StatusSource {
    let bots: [BotID]
    let readiness: ReadinessChecks
    let instanceID: String
    let stats: LiveStats
    let webhook: WebhookProbe
    let started = Date()

    func report() async -> StatusReport {
        let results = await self.readiness.evaluate()
        let activity = LiveStats.Summary.merging([self.stats.snapshot()], now: Date())
        var bots: [StatusReport.Bot] = []
        for bot in self.bots {
            bots.append(.init(
                name: bot.name, waiting: nil, repliesPending: nil, deadLetters: nil, sendingPaused: RedisStatusSource.paused(bot, in: results),
                rateLimitedLastHour: activity.rateLimitedLastHour[bot.name] ?? 0, webhook: await self.webhook(bot)))
        }
        return StatusReport(
            instances: [.init(id: self.instanceID, pid: Int(ProcessInfo.processInfo.processIdentifier), started: self.started, isThis: true)],
            bots: bots,
            dependencies: RedisStatusSource.dependencies(results),
            activity: activity,
            taken: Date())
    }
}
