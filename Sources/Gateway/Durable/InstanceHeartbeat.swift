import Foundation
public import Logging
import RedisClient
public import ServiceLifecycle
import Synchronization

/// This instance's heartbeat: every ``DurablePipelineConfiguration/heartbeatInterval``
/// one script stamps the instance in `{prefix}:instances` with Redis's
/// `TIME`, and reads back Redis's clock and every instance's last beat into
/// the inbox's ``InstanceRoster``. The sweeper and the relays then take over
/// the leases and claims of an instance silent for two intervals (or
/// restarted) within about three, instead of waiting out a 15 s lease or a
/// 60 s claim. At graceful shutdown it says goodbye, so what is left is
/// taken over at once.
///
/// Run it first in the services list: it stops last, after the dispatcher
/// and relays have handed their work back.
public final class InstanceHeartbeat: Service {
    private let inbox: RedisInbox
    private let logger: Logger
    private let started = Date()
    private let beatCount = Atomic(0)
    private let conflicts = Atomic(0)
    private let stats: LiveStats?

    /// Creates the heartbeat of `inbox`'s instance; each beat also stores
    /// `stats`' snapshot, so `/status` on any instance adds up every live one.
    public init(inbox: RedisInbox, stats: LiveStats? = nil, logger: Logger) {
        self.inbox = inbox
        self.stats = stats
        self.logger = logger
    }

    /// Beats until graceful shutdown or cancellation, then says goodbye.
    public func run() async {
        var failures = 0
        while !InboxDispatcher.isStopping {
            do {
                try await self.beat()
                if failures > 0 {
                    self.logger.info("heartbeat back", metadata: ["instance": "\(self.inbox.roster.me.id)"])
                }
                failures = 0
            } catch {
                failures += 1
                if failures == 1 {
                    self.logger.warning(
                        "heartbeat failed; other instances take this one's work over if it stays silent",
                        metadata: ["instance": "\(self.inbox.roster.me.id)", "error": "\(error)"])
                }
            }
            await InboxDispatcher.pause(for: self.inbox.configuration.heartbeatInterval)
        }
        let me = self.inbox.roster.me
        // Only a graceful stop says goodbye; a cancelled heartbeat falls silent, as a killed one would.
        guard Task.isShuttingDownGracefully else { return }
        let keys = self.inbox.keys.instances
        // Cancelled at shutdown: the goodbye needs a task of its own.
        let client = self.inbox.client
        _ = await Task {
            try? await client.evaluate(
                DurableScripts.goodbye, keys: [.string(keys.beats), .string(keys.runs), .string(keys.info)],
                arguments: [.string(me.id), .string(me.run)])
        }.value
        self.logger.info("heartbeat stopped", metadata: ["instance": "\(me.id)"])
    }

    /// One beat: stamps this instance and reads back Redis's clock and the roster.
    func beat() async throws {
        let me = self.inbox.roster.me
        let keys = self.inbox.keys.instances
        let info = #"{"pid":\#(ProcessInfo.processInfo.processIdentifier),"started":\#(Int(self.started.timeIntervalSince1970))}"#
        let reply = try await self.inbox.client.evaluate(
            DurableScripts.beat,
            keys: [.string(keys.beats), .string(keys.runs), .string(keys.info)],
            arguments: [.string(me.id), .string(me.run), .string(info), .integer(86_400_000)]
        )
        guard let parts = reply.array, parts.count >= 3, let now = parts[0].int else {
            throw DurablePipelineError(code: .unexpectedReply, message: "the heartbeat script answered \(reply)")
        }
        var runs: [String: String] = [:]
        let pairs = parts[2].array ?? []
        for index in stride(from: 0, to: pairs.count - 1, by: 2) {
            if let id = pairs[index].string, let run = pairs[index + 1].string { runs[id] = run }
        }
        var beats: [String: InstanceRoster.Beat] = [:]
        let scores = parts[1].array ?? []
        for index in stride(from: 0, to: scores.count - 1, by: 2) {
            guard let id = scores[index].string, let at = scores[index + 1].string.flatMap({ Int($0) }), let run = runs[id] else { continue }
            beats[id] = InstanceRoster.Beat(run: run, at: at)
        }
        self.inbox.roster.update(redisNow: now, beats: beats)
        if let stats = self.stats, let json = try? JSONEncoder().encode(stats.snapshot()) {
            _ = try await self.inbox.client.send(["HSET", .string(keys.stats), .string(me.id), .bytes(Array(json))])
        }
        // After this run's first beat, another run in its place means another
        // process beats under the same INSTANCE_ID: each takes the other's work over.
        let count = self.beatCount.add(1, ordering: .relaxed).newValue
        guard count > 1, parts.count > 3, let before = parts[3].string, before != me.run else { return }
        // Once, then once a minute or so while it lasts.
        if self.conflicts.add(1, ordering: .relaxed).newValue % 60 == 1 {
            self.logger.error(
                "another process beats under this INSTANCE_ID; give each instance its own, or they take each other's work over",
                metadata: ["instance": "\(me.id)"])
        }
    }
}
