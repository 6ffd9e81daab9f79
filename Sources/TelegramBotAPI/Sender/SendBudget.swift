/// Telegram's limits kept across every sender of one bot — several gateway
/// instances — where one ``OutboundLimiter`` sees only its own sends.
///
/// The sender asks before each send; a budget that cannot answer (its store
/// is away) grants, so sending goes on under the local limiter alone.
public protocol SendBudget: Sendable {
    /// Takes one send to `destination` at `priority` from the shared budget,
    /// or says how long to wait and what is short: the bot's budget or the chat's.
    func reserve(_ destination: OutboundLimiter<OutboundCall>.Destination, priority: OutboundSender.Priority) async -> SendBudgetAnswer
}

/// What a ``SendBudget`` answers.
public enum SendBudgetAnswer: Sendable, Hashable {
    /// Send now.
    case granted
    /// Do not send before `wait`; `scope` says whose budget is spent.
    case wait(Duration, scope: OutboundLimiter<OutboundCall>.RateLimitScope)
}
