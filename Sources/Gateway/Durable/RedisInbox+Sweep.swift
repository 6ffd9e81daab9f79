import RedisClient

extension RedisInbox {
    /// Looks at the conversations of `bot` whose watch deadline has passed:
    /// one whose holder is gone (its instance stopped beating or restarted,
    /// or its lease expired) becomes runnable again, one still held is
    /// looked at again within ``DurablePipelineConfiguration/takeoverWindow``,
    /// one backing off when its delay ends, an idle empty one is forgotten.
    /// Safe to run on every instance at once. Costs a few commands per due
    /// conversation, whatever the length of the runnable set.
    /// - Returns: Conversations made runnable again, and the runnable set's size.
    func sweep(_ bot: BotID, limit: Int = 256) async throws -> (requeued: Int, readyDepth: Int) {
        let botKeys = self.keys.bot(bot)
        let now = try await self.redisNow()
        let window = self.configuration.takeoverWindow.redisMilliseconds
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
                if let holder = found.count > 2 ? found[2].string : nil, self.roster.isGone(holderOf: holder) == true,
                    try await self.client.evaluate(DurableScripts.takeOver, keys: [.string(keys.lease)], arguments: [.string(holder)]).int == 1
                {
                    try await self.schedule(conversation, of: bot)
                    requeued += 1
                    continue
                }
                // A live holder is looked at again within the window; a
                // backing-off conversation when its delay ends.
                let holder = found.count > 2 ? found[2].string : nil
                let wait = holder.flatMap(InstanceIdentity.holder(of:)) != nil ? min(max(remaining, 1), window) : max(remaining, 1)
                try await self.client.send(["ZADD", .string(botKeys.watch), "XX", .integer(now &+ wait), .string(conversation)])
            case 1:
                try await self.client.evaluate(DurableScripts.forget, keys: [.string(botKeys.watch)], arguments: [.string(conversation), .string(score)])
            case 2:
                if try await self.schedule(conversation, of: bot) { requeued += 1 }
            default:
                throw DurablePipelineError(code: .unexpectedReply, message: "the inspect script answered \(found)")
            }
        }
        if requeued > 0 {
            self.metrics.record("taken_over", bot: bot, count: requeued)
            self.logger.notice("conversations taken over from a holder that stopped", metadata: ["bot": "\(bot)", "count": "\(requeued)"])
        }
        let depth = try await self.client.send(["ZCARD", .string(botKeys.runnable)]).int ?? 0
        return (requeued, depth)
    }
}
