import RedisClient
import Synchronization

/// What this instance last learnt from the heartbeats: Redis's clock, and
/// when each instance last beat in which run. Refreshed by every beat of
/// ``InstanceHeartbeat``.
///
/// The clock is Redis's `TIME` at the last beat plus the monotonic time
/// elapsed since, so every deadline in the `watch` and `outbox` sets is on
/// one clock whatever each host's wall clock says; a monotonic clock drifts
/// by microseconds between beats a second apart.
final class InstanceRoster: Sendable {
    /// One instance's last beat.
    struct Beat: Sendable, Hashable {
        var run: String
        /// Redis time of the beat, in milliseconds since 1970.
        var at: Int
    }

    private struct Snapshot {
        var redisNow: Int
        var taken: ContinuousClock.Instant
        var beats: [String: Beat]
        var hasBeats: Bool
    }

    /// This run's identity.
    let me: InstanceIdentity
    /// How long after its last beat an instance counts as gone.
    let silenceLimit: Duration
    private let clock = ContinuousClock()
    private let snapshot = Mutex<Snapshot?>(nil)

    init(me: InstanceIdentity, silenceLimit: Duration) {
        self.me = me
        self.silenceLimit = silenceLimit
    }

    /// Redis's time now, in milliseconds since 1970; nil before the first sync.
    func now() -> Int? {
        self.snapshot.withLock { $0.map(self.now(from:)) }
    }

    /// Redis's time at the snapshot carried forward on the monotonic clock.
    private func now(from snapshot: Snapshot) -> Int {
        snapshot.redisNow.addingReportingOverflow((self.clock.now - snapshot.taken).redisMilliseconds).partialValue
    }

    /// Records Redis's clock at `redisNow`, and the beats when read with it.
    func update(redisNow: Int, beats: [String: Beat]?) {
        let taken = self.clock.now
        self.snapshot.withLock { snapshot in
            let known = beats ?? snapshot?.beats ?? [:]
            snapshot = Snapshot(redisNow: redisNow, taken: taken, beats: known, hasBeats: beats != nil || snapshot?.hasBeats == true)
        }
    }

    /// Whether the holder of `token` is gone: its instance stopped beating,
    /// or beats in another run (it restarted). Nil when `token` is no
    /// instance's (then only its expiry frees it) or no beats were read yet.
    /// This run's own tokens are never gone.
    func isGone(holderOf token: String) -> Bool? {
        guard let holder = InstanceIdentity.holder(of: token) else { return nil }
        if holder.id == self.me.id && holder.run == self.me.run { return false }
        return self.snapshot.withLock { snapshot -> Bool? in
            guard let snapshot, snapshot.hasBeats else { return nil }
            guard let beat = snapshot.beats[String(holder.id)] else { return true }
            if beat.run != holder.run { return true }
            return self.now(from: snapshot) - beat.at > self.silenceLimit.redisMilliseconds
        }
    }
}
