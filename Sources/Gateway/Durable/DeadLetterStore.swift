/// Where updates go that a bot gave up on: refused by its backend, out of
/// attempts, or answered with something the gateway would not send. An
/// operator reads them to fix the cause and, if need be, replay the update.
///
/// Each implementation counts what it keeps in
/// `gateway_dead_letters_total{bot, reason}` (see ``DeadLetterMetrics``).
public protocol DeadLetterStore: Sendable {
    /// Keeps `letter`, dropping the oldest of its bot's letters past the store's capacity.
    func add(_ letter: DeadLetter) async throws
}
