import Foundation
public import ServiceClients
import Synchronization

/// What this instance measured lately, minute by minute, for `/status`:
/// updates handled and a histogram of their handling times, Telegram's 429s
/// per bot, and each downstream service's attempts, failures and breaker.
/// Each heartbeat stores a ``Snapshot`` in Redis, so `/status` on any
/// instance adds up every live one (``Summary/merging(_:now:)``).
///
/// Minutes are wall-clock minutes since 1970: instances a few seconds apart
/// only shift a count into the next minute.
public final class LiveStats: Sendable {
    /// Upper bounds of the handling-time buckets, in milliseconds; the last bucket is everything above.
    public static let bucketBounds: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000]
    /// How many minutes a snapshot keeps: the 429 window is an hour.
    static let keptMinutes = 60

    /// What one instance tells the others: per minute, updates and their
    /// time buckets, 429s per bot, and per service the attempts and failures
    /// with the breaker's state now.
    public struct Snapshot: Codable, Sendable, Hashable {
        public struct Minute: Codable, Sendable, Hashable {
            public var minute: Int
            public var updates: Int = 0
            public var buckets: [Int] = Array(repeating: 0, count: LiveStats.bucketBounds.count + 1)
            public var rateLimited: [String: Int] = [:]
            /// Updates per bot; optional so snapshots of older instances still read.
            public var byBot: [String: Int]?
            public var attempts: [String: Int] = [:]
            public var failures: [String: Int] = [:]
        }

        public var minutes: [Minute] = []
        public var circuits: [String: String] = [:]
    }

    private struct State {
        var snapshot = Snapshot()
        var sampled: [String: ServiceHealthBoard.Entry] = [:]
    }

    private let state = Mutex(State())
    private let health: ServiceHealthBoard
    private let clock: @Sendable () -> Date

    /// Creates the stats over `health`, the board every service client tallies on.
    public init(health: ServiceHealthBoard, clock: @escaping @Sendable () -> Date = Date.init) {
        self.health = health
        self.clock = clock
    }

    static func minute(of date: Date) -> Int {
        Int(date.timeIntervalSince1970 / 60)
    }

    /// Records one update of `bot` handled in `milliseconds`.
    public func recordUpdate(bot: BotID, milliseconds: Double) {
        let bucket = Self.bucketBounds.firstIndex { milliseconds <= $0 } ?? Self.bucketBounds.count
        self.withMinute { minute in
            minute.updates += 1
            minute.byBot = (minute.byBot ?? [:]).merging([bot.name: 1], uniquingKeysWith: +)
            minute.buckets[bucket] += 1
        }
    }

    /// Records a 429 from Telegram for `bot`.
    public func recordRateLimited(bot: BotID) {
        self.withMinute { $0.rateLimited[bot.name, default: 0] += 1 }
    }

    /// The last hour as it stands, with the services' attempts since the last snapshot added to this minute.
    public func snapshot() -> Snapshot {
        let board = self.health.snapshot
        let now = Self.minute(of: self.clock())
        return self.state.withLock { state in
            Self.advance(&state.snapshot, to: now)
            for (service, entry) in board {
                let before = state.sampled[service] ?? ServiceHealthBoard.Entry()
                let index = state.snapshot.minutes.count - 1
                state.snapshot.minutes[index].attempts[service, default: 0] += max(0, entry.attempts - before.attempts)
                state.snapshot.minutes[index].failures[service, default: 0] += max(0, entry.failures - before.failures)
                state.snapshot.circuits[service] = entry.circuit
            }
            state.sampled = board
            return state.snapshot
        }
    }

    private func withMinute(_ body: (inout Snapshot.Minute) -> Void) {
        let now = Self.minute(of: self.clock())
        self.state.withLock { state in
            Self.advance(&state.snapshot, to: now)
            body(&state.snapshot.minutes[state.snapshot.minutes.count - 1])
        }
    }

    /// Makes `now` the last minute, dropping minutes older than the hour.
    private static func advance(_ snapshot: inout Snapshot, to now: Int) {
        if snapshot.minutes.last?.minute != now {
            snapshot.minutes.append(Snapshot.Minute(minute: now))
        }
        snapshot.minutes.removeAll { $0.minute <= now - Self.keptMinutes }
    }

    /// Every live instance's last hour, added up.
    public struct Summary: Sendable, Hashable {
        /// Per service: attempts and failed attempts in the last 5 minutes, and how many instances see each breaker state.
        public struct Service: Sendable, Hashable {
            public var attempts = 0
            public var failures = 0
            public var circuits: [String: Int] = [:]

            /// Creates a tally.
            public init(attempts: Int = 0, failures: Int = 0, circuits: [String: Int] = [:]) {
                self.attempts = attempts
                self.failures = failures
                self.circuits = circuits
            }
        }

        /// Updates handled per minute, over the last 5 minutes.
        public var updatesPerMinute: Double = 0
        /// The 99th percentile of handling time over the last 5 minutes, as its bucket's upper bound in ms; nil without updates.
        public var p99Milliseconds: Double?
        /// 429s per bot in the last hour.
        public var rateLimitedLastHour: [String: Int] = [:]
        /// Updates per bot in the current minute and in the last hour.
        public var updatesLastMinute: [String: Int] = [:]
        public var updatesLastHour: [String: Int] = [:]
        public var services: [String: Service] = [:]

        /// Adds up `snapshots` as of wall-clock `now`.
        public static func merging(_ snapshots: [Snapshot], now: Date) -> Summary {
            let current = LiveStats.minute(of: now)
            var summary = Summary()
            var buckets = Array(repeating: 0, count: LiveStats.bucketBounds.count + 1)
            var updates = 0
            for snapshot in snapshots {
                for minute in snapshot.minutes where minute.minute > current - LiveStats.keptMinutes && minute.minute <= current {
                    for (bot, count) in minute.rateLimited { summary.rateLimitedLastHour[bot, default: 0] += count }
                    for (bot, count) in minute.byBot ?? [:] {
                        summary.updatesLastHour[bot, default: 0] += count
                        if minute.minute == current { summary.updatesLastMinute[bot, default: 0] += count }
                    }
                    guard minute.minute > current - 5 else { continue }
                    updates += minute.updates
                    for (index, count) in minute.buckets.enumerated() where index < buckets.count { buckets[index] += count }
                    for (service, count) in minute.attempts { summary.services[service, default: Service()].attempts += count }
                    for (service, count) in minute.failures { summary.services[service, default: Service()].failures += count }
                }
                for (service, circuit) in snapshot.circuits { summary.services[service, default: Service()].circuits[circuit, default: 0] += 1 }
            }
            summary.updatesPerMinute = Double(updates) / 5
            if updates > 0 {
                // The smallest bucket bound at or under which 99 % of updates fall.
                let target = (updates * 99 + 99) / 100
                var seen = 0
                for (index, count) in buckets.enumerated() {
                    seen += count
                    if seen >= target {
                        summary.p99Milliseconds = index < LiveStats.bucketBounds.count ? LiveStats.bucketBounds[index] : .infinity
                        break
                    }
                }
            }
            return summary
        }
    }
}
