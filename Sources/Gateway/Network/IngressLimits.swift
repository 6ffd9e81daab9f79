/// What one connection to a listener may hold and for how long, so that
/// stalled or hostile clients cannot exhaust descriptors or workers.
public struct IngressLimits: Sendable, Hashable {
    /// Open connections the listener keeps; a connection beyond it is closed
    /// as soon as it is accepted.
    public var maxConnections: Int
    /// From the connection opening (TLS handshake included) to a complete
    /// request head.
    public var headerTimeout: Duration
    /// From a request head to the end of its body.
    public var bodyTimeout: Duration
    /// How long a keep-alive connection may wait for its next request.
    public var idleTimeout: Duration
    /// The largest request head (all header lines together), in bytes.
    public var maxHeaderBytes: Int
    /// The most header fields one request may carry.
    public var maxHeaderCount: Int

    /// Creates the limits; the defaults suit a webhook receiving Telegram's
    /// small JSON bodies.
    public init(
        maxConnections: Int = 1000,
        headerTimeout: Duration = .seconds(10),
        bodyTimeout: Duration = .seconds(30),
        idleTimeout: Duration = .seconds(60),
        maxHeaderBytes: Int = 16 * 1024,
        maxHeaderCount: Int = 100
    ) {
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
    }
}
