/// Why a ``LeaseWatch`` ended work from outside.
enum LeaseInterruption: Sendable, Equatable {
    /// It ran past the timeout.
    case timedOut
    /// Renewing its lease found another holder's token.
    case leaseLost
}

/// The deadlines of work in flight: when each one's lease, if it holds one,
/// is renewed, and when a timeout, if there is one, ends it. A value that
/// returns what to do; ``LeaseWatch`` runs it, and tests drive it with
/// instants of their own.
///
/// All work has the same renewal period and timeout, so work started later
/// is never due before the work already watched: the watcher, asleep until
/// the earliest due time, only needs waking when it had nothing to watch.
struct LeaseWatchMachine<Payload> {
    typealias Instant = ContinuousClock.Instant
    typealias Interruption = LeaseInterruption

    /// What the watcher does next.
    enum Tick {
        /// End the work of these, and renew these leases (then report each with ``renewed(_:held:now:)``).
        case act(interrupt: [(payload: Payload, reason: Interruption)], renew: [(id: Int, payload: Payload)])
        /// Nothing is due before `until`.
        case sleep(until: Instant)
        /// Nothing to watch: wait until ``start(_:now:)`` says to wake.
        case idle
    }

    private struct Lease {
        let payload: Payload
        let deadline: Instant?
        /// The next renewal or the deadline, whichever comes first; nil: neither.
        var due: Instant?
        var renewing = false
        var interruption: Interruption?
    }

    /// How often a lease is renewed; nil: the work holds none.
    let renewEvery: Duration?
    /// How long work may run; nil: as long as it likes.
    let timeout: Duration?

    private var leases: [Int: Lease] = [:]
    private var nextID = 0
    private var watcherIdle = false

    init(renewEvery: Duration?, timeout: Duration?) {
        self.renewEvery = renewEvery
        self.timeout = timeout
    }

    /// How many leases are watched.
    var count: Int { self.leases.count }

    /// Watches a lease taken `now`; `wakeWatcher` when the watcher is idle
    /// and must be woken to sleep until this one is due.
    mutating func start(_ payload: Payload, now: Instant) -> (id: Int, wakeWatcher: Bool) {
        let id = self.nextID
        self.nextID &+= 1
        let deadline = self.timeout.map { now.advanced(by: $0) }
        self.leases[id] = Lease(payload: payload, deadline: deadline, due: Self.due(now: now, every: self.renewEvery, deadline: deadline))
        let wake = self.watcherIdle
        self.watcherIdle = false
        return (id, wake)
    }

    /// Stops watching lease `id`; why its work was ended, if it was.
    mutating func end(_ id: Int) -> Interruption? {
        self.leases.removeValue(forKey: id)?.interruption
    }

    /// What is due `now`.
    mutating func tick(now: Instant) -> Tick {
        var interrupt: [(payload: Payload, reason: Interruption)] = []
        var renew: [(id: Int, payload: Payload)] = []
        var earliest: Instant?
        for (id, lease) in self.leases where !lease.renewing && lease.interruption == nil {
            if let deadline = lease.deadline, deadline <= now {
                self.leases[id]?.interruption = .timedOut
                interrupt.append((lease.payload, .timedOut))
            } else if let due = lease.due, due <= now {
                self.leases[id]?.renewing = true
                renew.append((id, lease.payload))
            } else if let due = lease.due {
                earliest = min(earliest ?? due, due)
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

    /// Reports a renewal of lease `id`: `held` false when another token held
    /// it (its work is to be ended; the lease is not renewed again), nil when
    /// Redis did not answer (it may still hold: tried again after another period).
    mutating func renewed(_ id: Int, held: Bool?, now: Instant) -> Payload? {
        guard var lease = self.leases[id] else { return nil }
        lease.renewing = false
        if held == false, lease.interruption == nil {
            lease.interruption = .leaseLost
            self.leases[id] = lease
            return lease.payload
        }
        lease.due = Self.due(now: now, every: self.renewEvery, deadline: lease.deadline)
        self.leases[id] = lease
        return nil
    }

    private static func due(now: Instant, every period: Duration?, deadline: Instant?) -> Instant? {
        guard let next = period.map({ now.advanced(by: $0) }) else { return deadline }
        guard let deadline else { return next }
        return min(next, deadline)
    }
}
