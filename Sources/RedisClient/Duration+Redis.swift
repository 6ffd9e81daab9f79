extension Duration {
    /// Whole milliseconds for `PX` and `PEXPIRE`: at least 1 (Redis refuses
    /// zero), and saturating rather than trapping for a duration too long to count.
    public var redisMilliseconds: Int {
        let (seconds, attoseconds) = self.components
        let (whole, overflow) = Int(clamping: seconds).multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds < 0 ? 1 : Int.max }
        return Swift.max(1, whole.addingReportingOverflow(Int(attoseconds / 1_000_000_000_000_000)).partialValue)
    }

    /// Whole seconds for `EX` and `EXPIRE`: at least 1 (Redis refuses zero).
    public var redisSeconds: Int {
        Swift.max(Int(clamping: self.components.seconds), 1)
    }
}
