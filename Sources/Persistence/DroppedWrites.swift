/// The metric counting writes the write-behind buffers gave up on because
/// the database stayed away longer than they can hold.
public enum DroppedWrites {
    /// `gateway_database_dropped_total{buffer}`: `activity` (users' last
    /// activity) or `metrics` (command and error events).
    public static let metric = "gateway_database_dropped_total"
}
