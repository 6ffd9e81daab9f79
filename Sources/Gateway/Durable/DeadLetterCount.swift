/// `/ready`'s `dead_letters` entry: how many dead letters each bot has, in
/// the body for an operator to see; never a failure (they are the gateway
/// doing its job, not a dependency down).
struct DeadLetterCount: ReadinessCheck {
    let store: RedisDeadLetterStore
    let bots: [BotID]

    var name: String { "dead_letters" }
    var isRequired: Bool { false }

    func check() async -> ReadinessState {
        var counts: [String: Int] = [:]
        for bot in self.bots {
            guard let count = try? await self.store.count(of: bot) else {
                return .down("could not count the dead letters in Redis")
            }
            counts[bot.name] = count
        }
        return .counting(counts)
    }
}
