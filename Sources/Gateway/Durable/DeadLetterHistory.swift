import Logging
import Persistence

/// A ``DeadLetterStore`` that also writes each letter to PostgreSQL's
/// `dead_letters` as history. The letter counts as kept once `store` has it;
/// the row is written after, within a bound, and a failure is logged, not
/// thrown: PostgreSQL stays off the critical path.
struct DeadLetterHistory: DeadLetterStore {
    let store: any DeadLetterStore
    let repository: DeadLetterRepository
    let logger: Logger
    /// How long the row may take before the step goes on without it.
    var timeout: Duration = .seconds(2)

    func add(_ letter: DeadLetter) async throws {
        try await self.store.add(letter)
        let row = DeadLetterRepository.Row(
            bot: letter.bot.name, id: letter.id, conversation: letter.conversation, updateID: letter.updateID, payload: letter.update,
            reason: letter.reason.name, error: letter.error, attempts: letter.attempts, createdAt: letter.time)
        let repository = self.repository
        let timeout = self.timeout
        let written = await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await repository.record(row)) != nil }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !written {
            self.logger.warning(
                "dead letter kept in Redis but not written to PostgreSQL's history",
                metadata: ["bot": "\(letter.bot)", "dead_letter": "\(letter.id)"])
        }
    }
}
