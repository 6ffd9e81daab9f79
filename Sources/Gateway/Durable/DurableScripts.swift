import RedisClient

/// The Lua scripts of the durable pipeline. Each touches the keys of one hash
/// tag only (one conversation, or one bot), so it runs on Redis Cluster too.
///
/// The `lease` key of a conversation is the pivot: absent — nobody is on the
/// conversation and it has no work; `ready` — it has work and sits in the
/// bot's runnable set (or is about to); `backoff` — its last step failed and
/// it waits (with `PX`); anything else — a dispatcher's token
/// `instance|run|serial`, with a `PX` expiry, while it handles the head update.
enum DurableScripts {
    /// Appends an update unless its `update_id` was seen or the queue is full.
    /// Dedup is bounded: one integer per conversation packs its newest
    /// update id (times 2^20) with a mask of which of the 20 ids before it
    /// were seen; an id older than those counts as seen (Telegram redelivers
    /// only what it got no 200 for, so only recent ids come back, and one
    /// that old would be handled out of order). An id past 2^33 is kept as
    /// `id,mask` text instead, as the product would pass 2^53, where Lua's
    /// numbers stop being exact.
    /// KEYS: queue, seen, lease, state, attempts, then keys to preload.
    /// ARGV: raw update, cap, dedup TTL (s), lease token (empty: do not
    /// lease), lease (ms), update id.
    /// Returns 0 duplicate, -1 full, 1 appended, 2 appended and the
    /// conversation must be put in the runnable set, or {3, state or nil,
    /// {value or nil, PTTL (-2 when absent)} per preloaded key}: appended to an idle, empty
    /// conversation and leased to the caller with the token (first attempt),
    /// so this instance handles it without the runnable set.
    static let append = RedisScript("""
        local span = 1048576
        local id = tonumber(ARGV[6])
        local high, mask = id, 0
        local seen = redis.call('GET', KEYS[2])
        if seen then
          local comma = string.find(seen, ',')
          if comma then
            high, mask = tonumber(string.sub(seen, 1, comma - 1)), tonumber(string.sub(seen, comma + 1))
          else
            local packed = tonumber(seen)
            high, mask = math.floor(packed / span), packed % span
          end
          local back = high - id
          if back >= 0 then
            if back == 0 or back > 20 then return 0 end
            local bit_of_id = bit.lshift(1, back - 1)
            if bit.band(mask, bit_of_id) ~= 0 then return 0 end
            mask = bit.bor(mask, bit_of_id)
          else
            local shift = -back
            mask = shift > 20 and 0 or bit.band(bit.lshift(mask, shift), span - 1)
            if shift <= 20 then mask = bit.bor(mask, bit.lshift(1, shift - 1)) end
            high = id
          end
        end
        if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
        if high < 8589934592 then
          redis.call('SET', KEYS[2], string.format('%.0f', high * span + mask), 'EX', ARGV[3])
        else
          redis.call('SET', KEYS[2], string.format('%.0f', high) .. ',' .. mask, 'EX', ARGV[3])
        end
        local length = redis.call('RPUSH', KEYS[1], ARGV[1])
        if ARGV[4] ~= '' and length == 1 then
          if not redis.call('SET', KEYS[3], ARGV[4], 'NX', 'PX', ARGV[5]) then return 1 end
          redis.call('SET', KEYS[5], 1, 'EX', ARGV[3])
          local values = redis.call('MGET', KEYS[4], unpack(KEYS, 6))
          local preloaded = {}
          for i = 2, #values do
            table.insert(preloaded, values[i])
            table.insert(preloaded, values[i] and redis.call('PTTL', KEYS[i + 4]) or -2)
          end
          return {3, values[1], preloaded}
        end
        if redis.call('SET', KEYS[3], 'ready', 'NX') then return 2 end
        return 1
        """)

    /// Puts an update back at the tail of its conversation, bypassing dedup
    /// (`dead-letters replay`). KEYS: queue, lease. ARGV: raw update.
    /// Returns 1 appended, 2 appended and the conversation must be put in the runnable set.
    static let requeue = RedisScript("""
        redis.call('RPUSH', KEYS[1], ARGV[1])
        if redis.call('SET', KEYS[2], 'ready', 'NX') then return 2 end
        return 1
        """)

    /// Takes the conversation for a dispatcher if nobody holds it, counting
    /// one more attempt at its head update (a step that dies with its
    /// process counts too: the count is kept before the step runs).
    /// KEYS: lease, queue, state, attempts, last error, then keys to preload.
    /// ARGV: token, lease (ms), attempts TTL (s).
    /// Returns {0} held by another (or backing off), {1} nothing to do,
    /// {2, head, state or nil, {value or nil, PTTL (-2 when absent)} per preloaded key,
    /// attempt, last error or nil}.
    static let lease = RedisScript("""
        local holder = redis.call('GET', KEYS[1])
        if holder and holder ~= 'ready' then return {0} end
        local head = redis.call('LINDEX', KEYS[2], 0)
        if not head then
          redis.call('DEL', KEYS[1])
          return {1}
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        local attempt = redis.call('INCR', KEYS[4])
        redis.call('EXPIRE', KEYS[4], ARGV[3])
        local values = redis.call('MGET', KEYS[3], KEYS[5], unpack(KEYS, 6))
        local preloaded = {}
        for i = 3, #values do
          table.insert(preloaded, values[i])
          table.insert(preloaded, values[i] and redis.call('PTTL', KEYS[i + 3]) or -2)
        end
        return {2, head, values[1], preloaded, attempt, values[2]}
        """)

    /// Extends a lease its holder still has. KEYS: lease. ARGV: token, lease (ms).
    /// Returns 1 renewed, 0 lost.
    static let renew = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """)

    /// Hands back a conversation whose step was cut off (shutdown), marked
    /// ready; the caller puts it at the head of the runnable set so it keeps
    /// its turn. A step cut off by shutdown gets its attempt back; one that
    /// timed out does not. KEYS: lease, attempts. ARGV: token, `1` to refund
    /// the attempt. Returns 1 released, 0 not held any more.
    static let release = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], 'ready')
        if ARGV[2] == '1' and tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then redis.call('DECR', KEYS[2]) end
        return 1
        """)

    /// Backs a conversation off after its step failed: the lease becomes
    /// `backoff` for the delay (nobody takes the conversation meanwhile; the
    /// sweeper makes it runnable once it expires) and the error is kept for
    /// the dead letter. KEYS: lease, last error. ARGV: token, delay (ms),
    /// error, error TTL (s). Returns 1 backed off, 0 not held any more.
    static let fail = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], 'backoff', 'PX', ARGV[2])
        redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
        return 1
        """)

    /// Frees a lease whose holder is gone (its instance stopped beating or
    /// restarted), if that holder still has it. KEYS: lease. ARGV: holder's
    /// token. Returns 1 taken over (marked ready), 0 changed meanwhile.
    static let takeOver = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], 'ready')
        return 1
        """)

    /// Frees a reply claim whose holder is gone. KEYS: outbox lease.
    /// ARGV: holder's token. Returns 1 freed, 0 changed meanwhile.
    static let takeOverClaim = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        return 1
        """)

    /// The atomic step: acknowledge the head update, save the state (a kept
    /// state gets its FSM TTL again: a user answering invalidly keeps the
    /// flow), run the step's writes, append the replies, and release the conversation — or
    /// mark it ready when more updates wait. With a claim token it also
    /// claims the outbox for this instance's relay when the new replies are
    /// its only entries and nobody has it in flight. KEYS: lease, queue,
    /// state, outbox, outbox lease, attempts, last error. ARGV: token, state mode (`keep`, `set` or
    /// `clear`), state, state TTL (s), claim token (empty: do not claim),
    /// claim (ms), number of writes, each write as its argument count and
    /// arguments (keys of the conversation's hash tag only), replies…
    /// Returns {-1} lease lost (nothing written), else {released (0) or ready
    /// again (1), claim}, claim being 1 claimed, 0 nothing to claim or in
    /// flight elsewhere, 2 not claimed because older replies wait for a retry.
    static let commit = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1} end
        redis.call('LPOP', KEYS[2])
        redis.call('DEL', KEYS[6], KEYS[7])
        if ARGV[2] == 'set' then redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[4])
        elseif ARGV[2] == 'clear' then redis.call('DEL', KEYS[3])
        else redis.call('EXPIRE', KEYS[3], ARGV[4]) end
        local next = 8
        for _ = 1, tonumber(ARGV[7]) do
          local count = tonumber(ARGV[next])
          redis.call(unpack(ARGV, next + 1, next + count))
          next = next + count + 1
        end
        local claim = 0
        if next <= #ARGV then
          -- One RPUSH per thousand replies (unpack's limit is about 8,000
          -- values); its returned length says whether the outbox was empty.
          local length
          for first = next, #ARGV, 1000 do
            length = redis.call('RPUSH', KEYS[4], unpack(ARGV, first, math.min(first + 999, #ARGV)))
          end
          local before = length - (#ARGV - next + 1)
          if ARGV[5] ~= '' then
            if before == 0 then
              if redis.call('SET', KEYS[5], ARGV[5], 'NX', 'PX', ARGV[6]) then claim = 1 end
            elseif redis.call('EXISTS', KEYS[5]) == 0 then
              claim = 2
            end
          end
        end
        if redis.call('LLEN', KEYS[2]) > 0 then
          redis.call('SET', KEYS[1], 'ready')
          return {1, claim}
        end
        redis.call('DEL', KEYS[1])
        return {0, claim}
        """)

    /// The sweeper's look at one conversation. KEYS: lease, queue.
    /// Returns {0, pttl, holder} leased (or backing off), {1} idle and
    /// empty, {2} has work and no holder (marked `ready`; make sure it is
    /// in the runnable set).
    static let inspect = RedisScript("""
        local holder = redis.call('GET', KEYS[1])
        if holder and holder ~= 'ready' then return {0, redis.call('PTTL', KEYS[1]), holder} end
        if redis.call('LLEN', KEYS[2]) == 0 then
          if holder then redis.call('DEL', KEYS[1]) end
          return {1}
        end
        if not holder then redis.call('SET', KEYS[1], 'ready') end
        return {2}
        """)

    /// Removes a member from a sorted set only if its score is still the one
    /// observed: a writer that registered it again since changed the score.
    /// KEYS: set. ARGV: member, observed score.
    static let forget = RedisScript("""
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if score and tonumber(score) == tonumber(ARGV[2]) then
          redis.call('ZREM', KEYS[1], ARGV[1])
          return 1
        end
        return 0
        """)

    /// Claims a conversation's outbox for one relay and returns its first replies.
    /// KEYS: outbox lease, outbox, conversation lease. ARGV: token, claim
    /// (ms), most replies to return.
    /// Returns {0, pttl, holder} in flight elsewhere, {1} empty, {2, reply…}, {3}
    /// empty while a dispatcher holds the conversation: its commit registers
    /// the conversation in the bot's outbox set *before* it appends the
    /// replies, so an empty outbox then may be about to fill.
    static let claimReplies = RedisScript("""
        local holder = redis.call('GET', KEYS[1])
        if holder then return {0, redis.call('PTTL', KEYS[1]), holder} end
        local replies = redis.call('LRANGE', KEYS[2], 0, tonumber(ARGV[3]) - 1)
        if #replies == 0 then
          local holder = redis.call('GET', KEYS[3])
          if holder and holder ~= 'ready' then return {3} end
          return {1}
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        table.insert(replies, 1, 2)
        return replies
        """)

    /// Removes the replies a claim's holder got Telegram's answers for since
    /// its last settle, records the message Telegram made of the last, and
    /// extends the claim: a takeover never resends a reply Telegram accepted,
    /// except callback answers settled together with what followed them.
    /// KEYS: outbox lease, outbox, sent. ARGV: token, claim (ms),
    /// `method:message_id` (empty: nothing to record), sent TTL (s), replies.
    /// Returns 1 settled, 0 claim lost.
    static let settleSomeReplies = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('LTRIM', KEYS[2], tonumber(ARGV[5]), -1)
        if ARGV[3] ~= '' then
          if redis.call('LPUSH', KEYS[3], ARGV[3]) > 16 then redis.call('LTRIM', KEYS[3], 0, 15) end
          redis.call('EXPIRE', KEYS[3], ARGV[4])
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """)

    /// Removes the replies a claim's holder is done with and, when asked and
    /// more were committed meanwhile, keeps the claim and returns them.
    /// KEYS: outbox lease, outbox, sent. ARGV: token, replies done with, `1`
    /// to go on, claim (ms), most replies to return, `method:message_id` of
    /// the last reply done with (empty: nothing to record), sent TTL (s).
    /// Returns {-1} claim lost, {1, replies left} claim ended, {2, reply…} go on.
    static let settleReplies = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1} end
        local done = tonumber(ARGV[2])
        if done > 0 then redis.call('LTRIM', KEYS[2], done, -1) end
        if ARGV[6] ~= '' then
          if redis.call('LPUSH', KEYS[3], ARGV[6]) > 16 then redis.call('LTRIM', KEYS[3], 0, 15) end
          redis.call('EXPIRE', KEYS[3], ARGV[7])
        end
        if ARGV[3] == '1' then
          local replies = redis.call('LRANGE', KEYS[2], 0, tonumber(ARGV[5]) - 1)
          if #replies > 0 then
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            table.insert(replies, 1, 2)
            return replies
          end
          redis.call('DEL', KEYS[1])
          return {1, 0}
        end
        redis.call('DEL', KEYS[1])
        return {1, redis.call('LLEN', KEYS[2])}
        """)

    /// One heartbeat: stamps the instance with Redis's `TIME`, forgets
    /// instances silent for longer than a limit, and returns the roster.
    /// KEYS: beats (sorted set), runs (hash), info (hash). ARGV: id, run,
    /// info JSON, forget after (ms).
    /// Returns {now (ms), {id, beat…}, {id, run…}, the run registered before or nil}.
    static let beat = RedisScript("""
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local before = redis.call('HGET', KEYS[2], ARGV[1])
        redis.call('ZADD', KEYS[1], now, ARGV[1])
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
        for _, id in ipairs(redis.call('ZRANGE', KEYS[1], '-inf', now - tonumber(ARGV[4]), 'BYSCORE')) do
          redis.call('ZREM', KEYS[1], id)
          redis.call('HDEL', KEYS[2], id)
          redis.call('HDEL', KEYS[3], id)
        end
        return {now, redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES'), redis.call('HGETALL', KEYS[2]), before}
        """)

    /// Removes a stopping instance from the roster if this run is the one
    /// registered. KEYS: beats, runs, info. ARGV: id, run.
    static let goodbye = RedisScript("""
        if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
        redis.call('ZREM', KEYS[1], ARGV[1])
        redis.call('HDEL', KEYS[2], ARGV[1])
        redis.call('HDEL', KEYS[3], ARGV[1])
        return 1
        """)
}
