/// Where ``SessionActivityWriter`` writes its batches: ``SessionRepository``
/// in the gateway; tests wrap it to count statements.
public protocol SessionActivityStore: Sendable {
    /// Writes every touch in one statement, creating missing users.
    func recordActivity(_ touches: [SessionTouch]) async throws
}
