import Synchronization
import TelegramBotAPI

/// In-process shortcuts between the parts of the durable pipeline running in
/// one instance, so an update and its replies need not wait for a poll.
///
/// - The webhook hands an update it leased while appending it straight to
///   this instance's ``InboxDispatcher`` (no runnable set, no `BZPOPMIN`, no
///   lease script, no second decode), while the dispatcher has room.
/// - The dispatcher hands replies it claimed while committing them straight
///   to this instance's ``OutboxRelay`` (no poll, no claim script, no decode).
///
/// Redis stays the record either way: a leased update is in its queue and
/// the bot's watch set, claimed replies are in the outbox and its set, so if
/// this process dies, its heartbeat stops and any instance carries on.
final class LocalHandoff: Sendable {
    /// What a relay is handed.
    enum ReplyJob: Sendable {
        /// Replies this instance claimed at commit, in order, under `token`;
        /// `budgetReserved` when the commit also took their sends from the
        /// bot's shared Telegram budget.
        case claimed(conversation: String, token: String, replies: [OutboxEnvelope.Stored], budgetReserved: Bool)
        /// A conversation whose outbox may hold replies to send; `score` is
        /// its score in the bot's outbox set when a poll found it.
        case due(conversation: String, score: String?)
    }

    private struct State {
        var steps: HandoffQueue<InboxDispatcher.Start>?
        var stepCapacity = 0
        var stepsTaken = 0
        var relays: [BotID: HandoffQueue<ReplyJob>] = [:]
        var budgets: [BotID: RedisSendBudget] = [:]
    }

    private let state = Mutex(State())

    // MARK: Updates, webhook → dispatcher

    /// Opens the dispatcher's side: at most `capacity` handed-over updates at
    /// once, each yielded to the dispatcher's run loop as a `.step` (no task
    /// in between to forward them).
    func openSteps(capacity: Int, into starts: HandoffQueue<InboxDispatcher.Start>) {
        self.state.withLock { state in
            state.steps = starts
            state.stepCapacity = capacity
        }
    }

    /// Takes nothing more and finishes the dispatcher's stream, which ends
    /// once what was handed over is read.
    func closeSteps() {
        let queue = self.state.withLock { state in
            defer { state.steps = nil }
            return state.steps
        }
        queue?.finish()
    }

    /// Reserves room for one update; false when no dispatcher runs here or it is full.
    func reserveStep() -> Bool {
        self.state.withLock { state in
            guard state.steps != nil, state.stepsTaken < state.stepCapacity else { return false }
            state.stepsTaken += 1
            return true
        }
    }

    /// Gives back a reservation: the update was not leased, or its step ended.
    func endStep() {
        self.state.withLock { $0.stepsTaken -= 1 }
    }

    /// Hands a leased update to the dispatcher; false when it stopped (the
    /// reservation is given back, and the caller must release the lease).
    func handOver(_ item: InboxItem) -> Bool {
        let queue = self.state.withLock { $0.steps }
        if queue?.yield(.step(item)) == true {
            return true
        }
        self.endStep()
        return false
    }

    // MARK: Replies, dispatcher → relay

    /// Opens the relay's side for `bot`, whose sends draw on `budget`.
    func openReplies(for bot: BotID, budget: RedisSendBudget? = nil) -> HandoffQueue<ReplyJob> {
        let jobs = HandoffQueue<ReplyJob>()
        self.state.withLock { state in
            state.relays[bot] = jobs
            state.budgets[bot] = budget
        }
        return jobs
    }

    /// Stops handing replies of `bot` over; the relay's stream ends once read.
    func closeReplies(for bot: BotID) {
        let queue = self.state.withLock { state in
            state.budgets[bot] = nil
            return state.relays.removeValue(forKey: bot)
        }
        queue?.finish()
    }

    /// Whether a relay of `bot` runs in this instance.
    func hasRelay(for bot: BotID) -> Bool {
        self.state.withLock { $0.relays[bot] != nil }
    }

    /// The shared Telegram budget the relay of `bot` here sends under, if any.
    func budget(for bot: BotID) -> RedisSendBudget? {
        self.state.withLock { $0.budgets[bot] }
    }

    /// Hands `job` to the relay of `bot`; false when none runs here.
    func handOver(_ job: ReplyJob, for bot: BotID) -> Bool {
        let queue = self.state.withLock { $0.relays[bot] }
        if queue?.yield(job) == true {
            return true
        }
        return false
    }
}
