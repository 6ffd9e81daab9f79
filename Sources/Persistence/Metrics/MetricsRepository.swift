import Foundation
import Logging
import PostgresNIO

/// Usage, response-time and error events (`bot_metrics`) and their hourly
/// and daily rollups.
public struct MetricsRepository: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    public init(database: Database, logger: Logger) {
        self.client = database.client
        self.logger = logger
    }

    /// Inserts the events and adds them to their hour and day rollups, all
    /// in one statement (one round trip, one transaction): the rollups never
    /// disagree with the raw rows, and concurrent instances add up through
    /// `ON CONFLICT DO UPDATE`.
    public func insert(_ events: [MetricEvent]) async throws {
        guard !events.isEmpty else { return }
        // An array parameter cannot hold NULL here, so NaN stands for "no duration".
        try await self.client.query(
            """
            WITH events AS (
                SELECT e.bot, e.kind, e.name, NULLIF(e.duration_ms, 'NaN') AS duration_ms, e.occurred_at
                FROM unnest(
                    \(events.map(\.bot))::text[], \(events.map(\.kind.rawValue))::text[], \(events.map(\.name))::text[],
                    \(events.map { $0.durationMS ?? .nan })::float8[], \(events.map(\.occurredAt))::timestamptz[]
                ) AS e(bot, kind, name, duration_ms, occurred_at)
            ),
            raw AS (
                INSERT INTO bot_metrics (bot, kind, name, duration_ms, occurred_at)
                SELECT bot, kind, name, duration_ms, occurred_at FROM events
            ),
            hourly AS (
                INSERT INTO bot_metrics_hourly AS h (bot, kind, bucket, name, count, duration_count, duration_sum_ms)
                SELECT bot, kind, date_trunc('hour', occurred_at, 'UTC'), name, count(*), count(duration_ms), coalesce(sum(duration_ms), 0)
                FROM events GROUP BY 1, 2, 3, 4
                ON CONFLICT (bot, kind, bucket, name) DO UPDATE SET
                    count = h.count + EXCLUDED.count,
                    duration_count = h.duration_count + EXCLUDED.duration_count,
                    duration_sum_ms = h.duration_sum_ms + EXCLUDED.duration_sum_ms
            )
            INSERT INTO bot_metrics_daily AS d (bot, kind, bucket, name, count, duration_count, duration_sum_ms)
            SELECT bot, kind, date_trunc('day', occurred_at, 'UTC'), name, count(*), count(duration_ms), coalesce(sum(duration_ms), 0)
            FROM events GROUP BY 1, 2, 3, 4
            ON CONFLICT (bot, kind, bucket, name) DO UPDATE SET
                count = d.count + EXCLUDED.count,
                duration_count = d.duration_count + EXCLUDED.duration_count,
                duration_sum_ms = d.duration_sum_ms + EXCLUDED.duration_sum_ms
            """,
            logger: self.logger
        )
    }

    /// The rollups of `bot` and `kind` whose buckets start in `from..<to`,
    /// oldest first, then by name: "commands per hour today", "errors per day this month".
    public func rollups(
        bot: String,
        kind: MetricEvent.Kind,
        granularity: MetricRollup.Granularity,
        from: Date,
        to: Date
    ) async throws -> [MetricRollup] {
        let rows = try await self.client.query(
            """
            SELECT bucket, name, count, duration_sum_ms / NULLIF(duration_count, 0)
            FROM \(unescaped: granularity.table)
            WHERE bot = \(bot) AND kind = \(kind.rawValue) AND bucket >= \(from) AND bucket < \(to)
            ORDER BY bucket, name
            """,
            logger: self.logger
        )
        var rollups: [MetricRollup] = []
        for try await (bucket, name, count, average) in rows.decode((Date, String, Int64, Double?).self) {
            rollups.append(MetricRollup(bucket: bucket, kind: kind, name: name, count: Int(count), averageDurationMS: average))
        }
        return rollups
    }

    /// Deletes raw events older than `date`; the rollups keep their counts.
    @discardableResult
    public func deleteEvents(before date: Date) async throws -> Int {
        let rows = try await self.client.query(
            """
            WITH deleted AS (DELETE FROM bot_metrics WHERE occurred_at < \(date) RETURNING 1)
            SELECT count(*) FROM deleted
            """,
            logger: self.logger
        )
        for try await count in rows.decode(Int.self) {
            return count
        }
        return 0
    }

    /// What `GET /api/v1/stats` reports for `bot` since `from`.
    public struct Summary: Sendable, Hashable {
        /// Event counts by kind, then by name, from the hourly rollups.
        public var counts: [String: [String: Int]] = [:]
        /// Handling time percentiles of updates, ms; nil without updates.
        public var p50: Double?
        public var p99: Double?
        /// Users first seen, and users active, since `from`.
        public var newUsers = 0
        public var activeUsers = 0
    }

    /// The counts, percentiles and users of `bot` since `from`: counts from
    /// the hourly rollups whose hour overlaps the period, percentiles from the
    /// raw update events, users from `bot_sessions`.
    public func summary(bot: String, from: Date) async throws -> Summary {
        var summary = Summary()
        let counts = try await self.client.query(
            """
            SELECT kind, name, sum(count)::bigint FROM bot_metrics_hourly
            WHERE bot = \(bot) AND bucket >= date_trunc('hour', \(from)::timestamptz, 'UTC') GROUP BY kind, name
            """,
            logger: self.logger)
        for try await (kind, name, count) in counts.decode((String, String, Int64).self) {
            summary.counts[kind, default: [:]][name] = Int(count)
        }
        let percentiles = try await self.client.query(
            """
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms), percentile_cont(0.99) WITHIN GROUP (ORDER BY duration_ms)
            FROM bot_metrics WHERE bot = \(bot) AND kind = 'update' AND occurred_at >= \(from) AND duration_ms IS NOT NULL
            """,
            logger: self.logger)
        for try await (p50, p99) in percentiles.decode((Double?, Double?).self) {
            summary.p50 = p50
            summary.p99 = p99
        }
        let users = try await self.client.query(
            """
            SELECT count(*) FILTER (WHERE created_at >= \(from)), count(*) FILTER (WHERE last_activity_at >= \(from))
            FROM bot_sessions WHERE bot = \(bot)
            """,
            logger: self.logger)
        for try await (new, active) in users.decode((Int64, Int64).self) {
            summary.newUsers = Int(new)
            summary.activeUsers = Int(active)
        }
        return summary
    }
}
