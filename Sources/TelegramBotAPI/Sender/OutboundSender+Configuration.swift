extension OutboundSender {
    /// How the sender paces, bounds and stops its sends.
    public struct Configuration: Sendable {
        /// Telegram's limits and the retry policy for 5xx and network failures.
        public var limits: OutboundLimiter<OutboundCall>.Configuration
        /// Calls in flight at once; more wait even when the limits allow them,
        /// so a slow Bot API cannot pile up connections. Sends beyond the HTTP
        /// client's `maxConnectionsPerHost` wait for a connection there.
        public var maximumConcurrentSends: Int
        /// After shutdown begins, how long queued and in-flight calls may still
        /// go; what is left then is cancelled and reported ``Outcome/abandoned``.
        public var shutdownGracePeriod: Duration

        /// Creates a configuration with Telegram's default limits.
        public init(
            limits: OutboundLimiter<OutboundCall>.Configuration = .init(),
            maximumConcurrentSends: Int = 16,
            shutdownGracePeriod: Duration = .seconds(10)
        ) {
            precondition(maximumConcurrentSends > 0, "at least one send must be allowed in flight")
            self.limits = limits
            self.maximumConcurrentSends = maximumConcurrentSends
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }
}
