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
    /// When the report was taken.
    public var taken: Date
}

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

    func report() async -> StatusReport {
        let instances = self.keys.instances
        var commands: [[RedisArgument]] = [
            ["ZRANGE", .string(instances.beats), 0, -1],
            ["HGETALL", .string(instances.info)],
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
        var info: [String: [String: Any]] = [:]
        let pairs = value(1)?.array ?? []
        for index in stride(from: 0, to: pairs.count - 1, by: 2) {
            guard let id = pairs[index].string, let json = pairs[index + 1].bytes,
                let object = try? JSONSerialization.jsonObject(with: Data(json)) as? [String: Any]
            else { continue }
            info[id] = object
        }
        let live = (value(0)?.array ?? []).compactMap(\.string).map { id in
            StatusReport.Instance(
                id: id,
                pid: info[id]?["pid"] as? Int,
                started: (info[id]?["started"] as? Int).map { Date(timeIntervalSince1970: TimeInterval($0)) },
                isThis: id == self.instanceID)
        }
        let results = await self.readiness.evaluate()
        let bots = self.bots.enumerated().map { offset, bot in
            StatusReport.Bot(
                name: bot.name,
                waiting: value(2 + offset * 3)?.int,
                repliesPending: value(3 + offset * 3)?.int,
                deadLetters: value(4 + offset * 3)?.int,
                sendingPaused: Self.paused(bot, in: results))
        }
        return StatusReport(instances: live, bots: bots, dependencies: Self.dependencies(results), taken: Date())
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
    let started = Date()

    func report() async -> StatusReport {
        let results = await self.readiness.evaluate()
        return StatusReport(
            instances: [.init(id: self.instanceID, pid: Int(ProcessInfo.processInfo.processIdentifier), started: self.started, isThis: true)],
            bots: self.bots.map {
                .init(name: $0.name, waiting: nil, repliesPending: nil, deadLetters: nil, sendingPaused: RedisStatusSource.paused($0, in: results))
            },
            dependencies: RedisStatusSource.dependencies(results),
            taken: Date())
    }
}
