/// Cuts a failing service off for a cool-down: a value-type state machine with no I/O and no
/// clock of its own; the caller passes `now` to every method and keeps the breaker in a lock.
///
/// - **Closed**: every call goes; ``Configuration/failureThreshold`` transient failures in a
///   row open it (a success resets the count), and so does slowness: when at least
///   ``Configuration/slowCallShare`` of the last ``Configuration/slowCallWindow`` calls took
///   longer than ``Configuration/slowCallDuration``, even if they succeeded. A service that
///   answers in 9 s holds callers as surely as one that fails.
/// - **Open**: calls are refused without being made until ``Configuration/coolDown`` has passed.
/// - **Half-open**: the first call after the cool-down is admitted as the one probe and every
///   other call is refused while it runs; its success closes the breaker, its failure opens it
///   for another cool-down, and a probe abandoned (cancelled) lets the next call probe.
///
/// Results of calls admitted before the breaker opened are ignored once it is open or half-open:
/// only the probe decides.
public struct CircuitBreaker: Sendable {
    public typealias Instant = ContinuousClock.Instant

    /// When to open and for how long.
    public struct Configuration: Sendable, Hashable {
        /// Transient failures in a row that open the breaker; at least 1.
        public var failureThreshold: Int
        /// How long an open breaker refuses calls before it admits a probe.
        public var coolDown: Duration
        /// A call taking longer than this is slow; nil never counts slowness.
        public var slowCallDuration: Duration?
        /// The share of slow calls, among the last ``slowCallWindow``, that opens the breaker.
        public var slowCallShare: Double
        /// How many of the latest calls the slow share is taken over; at least 1.
        public var slowCallWindow: Int

        /// Creates a configuration.
        public init(
            failureThreshold: Int = 5,
            coolDown: Duration = .seconds(30),
            slowCallDuration: Duration? = .seconds(5),
            slowCallShare: Double = 0.5,
            slowCallWindow: Int = 10
        ) {
            self.failureThreshold = max(1, failureThreshold)
            self.coolDown = coolDown
            self.slowCallDuration = slowCallDuration
            self.slowCallShare = min(1, max(0.01, slowCallShare.isFinite ? slowCallShare : 0.5))
            self.slowCallWindow = max(1, slowCallWindow)
        }
    }

    /// Where the breaker stands.
    public enum State: Sendable, Hashable {
        /// Calls go; the count of transient failures in a row so far.
        case closed(consecutiveFailures: Int)
        /// Calls are refused until the instant.
        case open(until: Instant)
        /// The cool-down is over; `probing` while the one admitted call runs.
        case halfOpen(probing: Bool)
    }

    /// Whether a call may be made now.
    public enum Admission: Sendable, Hashable {
        /// Make the call; report it with `probe: false`.
        case allowed
        /// Make the call as the half-open breaker's probe; report it with `probe: true`.
        case probe
        /// Do not call. `retryAt` is when a probe will be admitted, nil while a probe runs.
        case rejected(retryAt: Instant?)
    }

    /// How an admitted call ended, as far as the service's health goes.
    public enum Outcome: Sendable, Hashable {
        /// The service answered (any status below 500, including 4xx refusals).
        case success
        /// A transient failure: 5xx, a timeout, a connection failure.
        case failure
        /// The call was given up before it ended (the caller was cancelled); says nothing.
        case abandoned
    }

    /// A change worth logging.
    public enum Transition: Sendable, Hashable {
        /// The breaker opened until the instant.
        case opened(until: Instant)
        /// A probe succeeded and the breaker closed.
        case closed
    }

    /// The settings.
    public let configuration: Configuration
    /// The current state.
    public private(set) var state: State = .closed(consecutiveFailures: 0)
    /// Whether each of the latest calls (oldest first) was slow, while closed.
    private var recentSlowness: [Bool] = []

    /// Creates a closed breaker.
    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Decides whether a call may be made now; admitting the probe moves an open breaker whose
    /// cool-down has passed to half-open.
    public mutating func admit(now: Instant) -> Admission {
        switch state {
        case .closed:
            return .allowed
        case .open(let until):
            guard now >= until else { return .rejected(retryAt: until) }
            state = .halfOpen(probing: true)
            return .probe
        case .halfOpen(let probing):
            guard !probing else { return .rejected(retryAt: nil) }
            state = .halfOpen(probing: true)
            return .probe
        }
    }

    /// Records how an admitted call ended.
    ///
    /// - Parameters:
    ///   - probe: whether ``admit(now:)`` admitted the call as ``Admission/probe``.
    ///   - duration: how long the call took; a slow probe counts as a failure.
    /// - Returns: the transition, if the breaker opened or closed.
    @discardableResult
    public mutating func record(_ outcome: Outcome, probe: Bool, now: Instant, duration: Duration? = nil) -> Transition? {
        let slow = self.isSlow(duration)
        if probe {
            guard case .halfOpen(probing: true) = state else { return nil }
            switch outcome {
            case .success where !slow:
                state = .closed(consecutiveFailures: 0)
                recentSlowness = []
                return .closed
            case .success, .failure:
                return open(now: now)
            case .abandoned:
                state = .halfOpen(probing: false)
                return nil
            }
        }
        guard case .closed(let failures) = state else { return nil }
        switch outcome {
        case .success:
            state = .closed(consecutiveFailures: 0)
        case .failure:
            if failures + 1 >= configuration.failureThreshold {
                return open(now: now)
            }
            state = .closed(consecutiveFailures: failures + 1)
        case .abandoned:
            return nil
        }
        recentSlowness.append(slow)
        if recentSlowness.count > configuration.slowCallWindow {
            recentSlowness.removeFirst(recentSlowness.count - configuration.slowCallWindow)
        }
        let slowCalls = recentSlowness.count { $0 }
        if recentSlowness.count == configuration.slowCallWindow,
            Double(slowCalls) >= configuration.slowCallShare * Double(configuration.slowCallWindow)
        {
            return open(now: now)
        }
        return nil
    }

    private func isSlow(_ duration: Duration?) -> Bool {
        guard let duration, let limit = configuration.slowCallDuration else { return false }
        return duration > limit
    }

    private mutating func open(now: Instant) -> Transition {
        recentSlowness = []
        let until = now.advanced(by: configuration.coolDown)
        state = .open(until: until)
        return .opened(until: until)
    }
}
