import Foundation

/// The events of one name in one hour or day (UTC).
public struct MetricRollup: Sendable, Hashable {
    /// How long a rollup's bucket is.
    public enum Granularity: Sendable, Hashable {
        case hour
        case day

        var table: String {
            switch self {
            case .hour: "bot_metrics_hourly"
            case .day: "bot_metrics_daily"
            }
        }
    }

    /// The start of the hour or day, UTC.
    public var bucket: Date
    public var kind: MetricEvent.Kind
    public var name: String
    public var count: Int
    /// Mean duration of the events that had one; nil when none had.
    public var averageDurationMS: Double?

    public init(bucket: Date, kind: MetricEvent.Kind, name: String, count: Int, averageDurationMS: Double?) {
        self.bucket = bucket
        self.kind = kind
        self.name = name
        self.count = count
        self.averageDurationMS = averageDurationMS
    }
}
