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

    /// Re-registers every conversation of `bot` that has updates queued or
    /// replies waiting: in the watch set (the sweeper then leases, waits or
    /// takes over as usual) and in the outbox set. Run after a Redis Cluster
    /// failover: the dead primary may have acknowledged writes to those sets
    /// that its replica never got, while the conversations' own keys, on
    /// other nodes or replicated earlier, still hold the work. `NX` leaves
    /// entries that survived alone. Scans every primary: seconds for
    /// millions of keys, once per failover.
    /// - Returns: Conversations found with work.
    func reconcile(_ bot: BotID) async throws -> Int {
        let botKeys = self.keys.bot(bot)
        let now = try await self.redisNow()
        let window = self.configuration.takeoverWindow.redisMilliseconds
        var registered = Set<String>()
        for (suffix, set) in [(":q", botKeys.watch), (":out", botKeys.outbox)] {
            let pattern = self.keys.conversationPattern(of: bot) + suffix
            for key in try await self.client.scan(match: pattern) {
                guard let conversation = self.keys.conversationName(inKey: key, of: bot, suffix: suffix),
                    try await self.client.send(["EXISTS", .string(key)]).int == 1
                else { continue }
                // Watched entries are looked at once a holder could be gone; outbox ones at once.
                let score = set == botKeys.watch ? now &+ window : now
                try await self.client.send(["ZADD", .string(set), "NX", .integer(score), .string(conversation)])
                registered.insert(conversation)
            }
        }
        if !registered.isEmpty {
            self.logger.notice(
                "conversations with work re-registered after the Redis cluster changed",
                metadata: ["bot": "\(bot)", "count": "\(registered.count)"])
        }
        return registered.count
    }
}
