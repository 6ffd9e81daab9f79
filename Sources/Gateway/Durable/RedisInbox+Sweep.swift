import RedisClient

extension RedisInbox {
    /// Looks at the conversations of `bot` whose watch deadline has passed:
    /// one whose dispatcher died (lease expired) goes back to the ready list,
    /// one still leased is looked at again when its lease ends, an idle empty
    /// one is forgotten. Safe to run on every instance at once.
    /// - Returns: Conversations put back in the ready list, and its length.
    func sweep(_ bot: BotID, limit: Int = 256) async throws -> (requeued: Int, readyDepth: Int) {
        let botKeys = self.keys.bot(bot)
        let now = Self.nowMilliseconds()
        let due = try await self.client.send([
            "ZRANGE", .string(botKeys.watch), "-inf", .integer(now), "BYSCORE", "LIMIT", 0, .integer(limit), "WITHSCORES",
        ]).array ?? []
        var requeued = 0
        for index in stride(from: 0, to: due.count - 1, by: 2) {
            guard let conversation = due[index].string, let score = due[index + 1].string else { continue }
            let keys = self.keys.conversation(conversation, of: bot)
            let found = try await self.client.evaluate(DurableScripts.inspect, keys: [.string(keys.lease), .string(keys.queue)]).array ?? []
            switch found.first?.int {
            case 0:
                let remaining = found.count > 1 ? (found[1].int ?? 0) : 0
                let wait = remaining > 0 ? remaining : self.configuration.leaseTimeout.redisMilliseconds
                try await self.client.send(["ZADD", .string(botKeys.watch), "XX", .integer(now + wait), .string(conversation)])
            case 1:
                try await self.client.evaluate(DurableScripts.forget, keys: [.string(botKeys.watch)], arguments: [.string(conversation), .string(score)])
            case 2:
                if try await self.schedule(conversation, of: bot, checkingReadyList: true) {
                    requeued += 1
                }
            default:
                throw DurablePipelineError(code: .unexpectedReply, message: "the inspect script answered \(found)")
            }
        }
        if requeued > 0 {
            self.metrics.record("taken_over", bot: bot, count: requeued)
            self.logger.notice("conversations taken over after their lease expired", metadata: ["bot": "\(bot)", "count": "\(requeued)"])
        }
        let depth = try await self.client.send(["LLEN", .string(botKeys.ready)]).int ?? 0
        return (requeued, depth)
    }
}
