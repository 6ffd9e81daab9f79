/// The deadlines of the steps in flight on one dispatcher: when each one's
/// lease is renewed, and when its `STEP_TIMEOUT` ends it. A value that
/// returns what to do; ``StepWatch`` runs it, and tests drive it with
/// instants of their own.
///
/// Every step has the same renewal period and timeout, so a step started
/// later is never due before the ones already watched: the watcher, asleep
/// until the earliest due time, only needs waking when it had nothing to watch.
struct StepWatchMachine<Payload> {
    typealias Instant = ContinuousClock.Instant

    /// Why a step was ended from outside.
    enum Interruption: Sendable, Equatable {
        /// It ran past `STEP_TIMEOUT`.
        case timedOut
        /// Renewing its lease found another dispatcher's token.
        case leaseLost
    }

    /// What the watcher does next.
    enum Tick {
        /// End these steps, and renew these leases (then report each with ``renewed(_:held:now:)``).
        case act(interrupt: [(payload: Payload, reason: Interruption)], renew: [(id: Int, payload: Payload)])
        /// Nothing is due before `until`.
        case sleep(until: Instant)
        /// No step to watch: wait until ``start(_:now:)`` says to wake.
        case idle
        /// ``close()`` was called: stop.
        case closed
    }

    private struct Step {
        let payload: Payload
        let deadline: Instant
        var due: Instant
        var renewing = false
        var interruption: Interruption?
    }

    /// How often a step's lease is renewed.
    let renewEvery: Duration
    /// How long a step may run.
    let timeout: Duration

    private var steps: [Int: Step] = [:]
    private var nextID = 0
    private var watcherIdle = false
    private var isClosed = false

    init(renewEvery: Duration, timeout: Duration) {
        self.renewEvery = renewEvery
        self.timeout = timeout
    }

    /// How many steps are watched.
    var count: Int { self.steps.count }

    /// Watches a step starting `now`; `wakeWatcher` when the watcher is idle
    /// and must be woken to sleep until this step is due.
    mutating func start(_ payload: Payload, now: Instant) -> (id: Int, wakeWatcher: Bool) {
        let id = self.nextID
        self.nextID &+= 1
        let deadline = now.advanced(by: self.timeout)
        self.steps[id] = Step(payload: payload, deadline: deadline, due: min(now.advanced(by: self.renewEvery), deadline))
        let wake = self.watcherIdle
        self.watcherIdle = false
        return (id, wake)
    }

    /// Stops watching step `id`; why it was ended, if it was.
    mutating func end(_ id: Int) -> Interruption? {
        self.steps.removeValue(forKey: id)?.interruption
    }

    /// What is due `now`.
    mutating func tick(now: Instant) -> Tick {
        if self.isClosed { return .closed }
        var interrupt: [(payload: Payload, reason: Interruption)] = []
        var renew: [(id: Int, payload: Payload)] = []
        var earliest: Instant?
        for (id, step) in self.steps where !step.renewing && step.interruption == nil {
            if step.deadline <= now {
                self.steps[id]?.interruption = .timedOut
                interrupt.append((step.payload, .timedOut))
            } else if step.due <= now {
                self.steps[id]?.renewing = true
                renew.append((id, step.payload))
            } else {
                earliest = min(earliest ?? step.due, step.due)
            }
        }
        if !interrupt.isEmpty || !renew.isEmpty {
            return .act(interrupt: interrupt, renew: renew)
        }
        guard let earliest else {
            self.watcherIdle = true
            return .idle
        }
        return .sleep(until: earliest)
    }

    /// Reports a renewal of step `id`'s lease: `held` false when another
    /// token held it (the step is to be ended), nil when Redis did not
    /// answer (the lease may still hold: tried again after another period).
    mutating func renewed(_ id: Int, held: Bool?, now: Instant) -> Payload? {
        guard var step = self.steps[id] else { return nil }
        step.renewing = false
        if held == false, step.interruption == nil {
            step.interruption = .leaseLost
            self.steps[id] = step
            return step.payload
        }
        step.due = min(now.advanced(by: self.renewEvery), step.deadline)
        self.steps[id] = step
        return nil
    }

    /// Stops the watcher at its next tick; true when it is idle and must be woken for that.
    mutating func close() -> Bool {
        self.isClosed = true
        defer { self.watcherIdle = false }
        return self.watcherIdle
    }
}
