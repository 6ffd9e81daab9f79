public import Foundation

/// How the durable pipeline (``RedisInbox``, ``InboxDispatcher``,
/// ``OutboxRelay``) keeps its data in Redis and shares work between instances.
///
/// Plain values with defaults; `GatewayConfiguration(environment:)` fills it
/// from `REDIS_*` variables (see `docs/configuration.md`).
public struct DurablePipelineConfiguration: Sendable {
    /// First part of every key (`gw`), so several gateways can share a Redis.
    public var keyPrefix: String
    /// How long a conversation's state lives after its last step.
    public var fsmTTL: Duration
    /// How long a user's session data lives after the last update.
    public var sessionTTL: Duration
    /// How long an `update_id` is remembered, to absorb Telegram's redeliveries.
    public var dedupTTL: Duration
    /// How long a dispatcher owns a conversation without renewing; after it,
    /// another instance takes the conversation over.
    public var leaseTimeout: Duration
    /// Updates one conversation may hold; beyond it the webhook answers 503.
    public var conversationCap: Int
    /// Dispatch workers per bot on this instance: conversations handled in parallel.
    public var concurrency: Int
    /// How long a worker blocks waiting for work before checking for shutdown.
    public var pollTimeout: Duration
    /// How often this instance looks for conversations whose lease expired.
    public var sweepInterval: Duration
    /// How often the outbox relay looks for pending replies while it finds
    /// some; it backs off to once a second while it finds none. Replies
    /// committed by the same instance do not wait for it.
    public var outboxPollInterval: Duration
    /// How long a reply that failed transiently waits before it is sent again.
    public var outboxRetryDelay: Duration
    /// Replies the relay has in flight at once, each of a different conversation.
    public var outboxConcurrency: Int
    /// How long one step may run; then it is cancelled and fails (`STEP_TIMEOUT`).
    public var stepTimeout: Duration
    /// This instance's name (`INSTANCE_ID`), stable across restarts; two
    /// instances sharing a Redis must not share it.
    public var instanceID: String
    /// How often the instance beats (`INSTANCE_HEARTBEAT_INTERVAL`); one
    /// silent for two intervals is taken over.
    public var heartbeatInterval: Duration
    /// Attempts at one update before it becomes a dead letter (`DEAD_LETTER_AFTER`).
    public var deadLetterAfter: Int
    /// The wait after a step's first failure; it doubles with each attempt, up to 30 s.
    public var retryDelay: Duration
    /// This host's clock. No deadline reads it (they are on Redis's clock,
    /// see ``InstanceRoster``); only stamps made before the first heartbeat
    /// and a dead letter's time do. Tests inject a skewed one.
    public var wallClock: @Sendable () -> Date

    /// Creates a configuration.
    public init(
        keyPrefix: String = "gw",
        fsmTTL: Duration = .seconds(3600),
        sessionTTL: Duration = .seconds(86400),
        dedupTTL: Duration = .seconds(86400),
        leaseTimeout: Duration = .seconds(15),
        conversationCap: Int = 1000,
        concurrency: Int = 16,
        pollTimeout: Duration = .seconds(1),
        sweepInterval: Duration = .seconds(1),
        outboxPollInterval: Duration = .milliseconds(50),
        outboxRetryDelay: Duration = .seconds(5),
        outboxConcurrency: Int = 64,
        stepTimeout: Duration = .seconds(30),
        instanceID: String = InstanceIdentity.defaultID(port: 8443),
        heartbeatInterval: Duration = .seconds(1),
        deadLetterAfter: Int = 5,
        retryDelay: Duration = .seconds(1),
        wallClock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.keyPrefix = keyPrefix
        self.fsmTTL = fsmTTL
        self.sessionTTL = sessionTTL
        self.dedupTTL = dedupTTL
        self.leaseTimeout = leaseTimeout
        self.conversationCap = conversationCap
        self.concurrency = concurrency
        self.pollTimeout = pollTimeout
        self.sweepInterval = sweepInterval
        self.outboxPollInterval = outboxPollInterval
        self.outboxRetryDelay = outboxRetryDelay
        self.outboxConcurrency = outboxConcurrency
        self.stepTimeout = stepTimeout
        self.instanceID = instanceID
        self.heartbeatInterval = heartbeatInterval
        self.deadLetterAfter = deadLetterAfter
        self.retryDelay = retryDelay
        self.wallClock = wallClock
    }
}

extension DurablePipelineConfiguration {
    /// How long a relay holds a conversation's replies: it must outlive the
    /// sender's own retries, as it only guards against two relays sending
    /// the same reply at once.
    var replyClaimLength: Duration {
        self.leaseTimeout * 4
    }

    /// Most replies a relay takes of one conversation per claim.
    var repliesPerClaim: Int { 16 }

    /// How long an instance may stay silent before it counts as gone: two
    /// heartbeats, so one late beat on a loaded host is not a death.
    var silenceLimit: Duration {
        self.heartbeatInterval * 2
    }

    /// How often the sweeper and the relays look again at a conversation
    /// another instance holds: every heartbeat, so a holder that died is
    /// taken over within about three (two of silence, then the next look).
    var takeoverWindow: Duration {
        self.heartbeatInterval
    }

    /// How often the sweeper runs: its interval, or half a heartbeat if shorter.
    var sweepPause: Duration {
        min(self.sweepInterval, self.heartbeatInterval / 2)
    }
}
