extension FakeServices {
    /// Makes the next `count` calls of `route` answer `status` (503 by default; 429 comes with
    /// `Retry-After: 1`) with the contract's error body.
    public func failNext(_ count: Int = 1, of route: ServiceRoute, status: Int = 503) {
        state.withLock { $0.faults[route, default: []].append(contentsOf: Array(repeating: .status(status), count: count)) }
    }

    /// Holds the next `count` calls of `route` for `delay` before answering, to make clients time out.
    public func delayNext(_ count: Int = 1, of route: ServiceRoute, by delay: Duration) {
        state.withLock { $0.faults[route, default: []].append(contentsOf: Array(repeating: .delay(delay), count: count)) }
    }

    /// Adds `latency` to every call of `route`; nil removes it.
    public func setLatency(_ latency: Duration?, for route: ServiceRoute) {
        state.withLock { $0.latency[route] = latency }
    }

    /// Makes every call of `route` answer `status` (as ``failNext(_:of:status:)`` does) until
    /// called again with nil: an outage rather than a blip.
    public func setOutage(_ status: Int?, for route: ServiceRoute) {
        state.withLock { $0.outages[route] = status }
    }

    /// The status every call of `route` answers while it is out, or nil.
    public func outage(of route: ServiceRoute) -> Int? {
        state.withLock { $0.outages[route] }
    }

    /// The latency added to every call of `route`, or nil.
    public func latency(of route: ServiceRoute) -> Duration? {
        state.withLock { $0.latency[route] }
    }

    /// Makes every issued access token expired, so the next call with one answers 401.
    public func expireAllTokens() {
        state.withLock { state in
            for token in state.sessions.keys {
                state.sessions[token]?.expires = .distantPast
            }
        }
    }

    /// Adds or replaces a user.
    public func upsert(_ user: ServiceUser) {
        state.withLock { $0.users[user.id] = user }
    }

    /// A user by the services' id.
    public func user(id: String) -> ServiceUser? {
        state.withLock { $0.users[id] }
    }

    /// The calls answered so far, oldest first; only those of `route` if given.
    public func calls(_ route: ServiceRoute? = nil) -> [ServiceCall] {
        state.withLock { state in route.map { route in state.calls.filter { $0.route == route } } ?? state.calls }
    }

    /// How many calls were answered so far.
    public var callCount: Int {
        state.withLock { $0.calls.count }
    }

    /// How many times a write with this `Idempotency-Key` actually created or changed something;
    /// 1 when retries were absorbed.
    public func creationCount(idempotencyKey: String) -> Int {
        state.withLock { $0.creationsPerKey[idempotencyKey] ?? 0 }
    }

    /// How many requests were created in all.
    public var requestCount: Int {
        state.withLock { $0.requests.count }
    }
}
