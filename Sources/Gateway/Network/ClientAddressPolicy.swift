/// Decides which address a request comes from and whether that address may
/// deliver updates.
///
/// `X-Forwarded-For` is believed only when the direct peer is a configured
/// trusted proxy, and then it is read from the right: each proxy appends the
/// address it received the request from, so the right-most entries were
/// written by our own proxies and the first entry not in `trustedProxies` is
/// the real client. The left-most entry is whatever the client chose to send
/// and proves nothing.
public struct ClientAddressPolicy: Sendable {
    /// Addresses allowed to deliver updates; nil allows every address.
    public var allowlist: [IPNetwork]?
    /// Reverse proxies whose `X-Forwarded-For` entries are believed.
    public var trustedProxies: [IPNetwork]

    /// Creates a policy.
    /// - Parameters:
    ///   - allowlist: Allowed client ranges; nil (the default) allows all.
    ///   - trustedProxies: Proxies in front of the gateway; none by default.
    public init(allowlist: [IPNetwork]? = nil, trustedProxies: [IPNetwork] = []) {
        self.allowlist = allowlist
        self.trustedProxies = trustedProxies
    }

    /// The address the request is from.
    /// - Parameters:
    ///   - peer: The socket's remote address; nil for a Unix socket.
    ///   - forwardedFor: Every `X-Forwarded-For` header value, in order.
    /// - Returns: The client address, or nil when it cannot be known (no
    ///   peer address, or a trusted proxy forwarded a garbled entry).
    public func clientAddress(peer: IPAddress?, forwardedFor: [String]) -> IPAddress? {
        guard let peer else { return nil }
        guard self.isTrustedProxy(peer) else { return peer }
        let entries = forwardedFor.flatMap { $0.split(separator: ",") }
        var client = peer
        for entry in entries.reversed() {
            // A garbled entry written after the last trusted hop cannot be
            // attributed to anyone, so the request has no known client.
            guard let address = IPAddress(entry.trimmingSpaces) else { return nil }
            client = address
            if !self.isTrustedProxy(address) { break }
        }
        return client
    }

    /// Whether a request from `peer` carrying `forwardedFor` may deliver updates.
    public func allows(peer: IPAddress?, forwardedFor: [String]) -> Bool {
        guard let allowlist else { return true }
        guard let client = self.clientAddress(peer: peer, forwardedFor: forwardedFor) else { return false }
        return allowlist.contains { $0.contains(client) }
    }

    private func isTrustedProxy(_ address: IPAddress) -> Bool {
        self.trustedProxies.contains { $0.contains(address) }
    }
}

extension ClientAddressPolicy {
    /// Whether a connection from `peer` may go on at accept time, before any
    /// byte is read. A trusted proxy always may: only the `X-Forwarded-For`
    /// of its requests can tell who the client is, so the route decides.
    /// - Parameter peer: The socket's remote address; nil for a Unix socket.
    public func admitsConnection(from peer: IPAddress?) -> Bool {
        guard let allowlist else { return true }
        guard let peer else { return false }
        if self.trustedProxies.contains(where: { $0.contains(peer) }) { return true }
        return allowlist.contains { $0.contains(peer) }
    }
}
