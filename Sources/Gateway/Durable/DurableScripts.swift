import RedisClient

/// The Lua scripts of the durable pipeline. Each touches the keys of one hash
/// tag only (one conversation, or one bot), so it runs on Redis Cluster too.
///
/// The `lease` key of a conversation is the pivot: absent — nobody is on the
/// conversation and it has no work; `ready` — it has work and sits in the
/// bot's ready list (or is about to); anything else — a dispatcher's token,
/// with a `PX` expiry, while it handles the head update.
enum DurableScripts {
    /// Appends an update unless its `update_id` was seen or the queue is full.
    /// KEYS: queue, seen, lease, state, then keys to preload.
    /// ARGV: raw update, cap, dedup TTL (s), lease token (empty: do not
    /// lease), lease (ms).
    /// Returns 0 duplicate, -1 full, 1 appended, 2 appended and the
    /// conversation must be pushed to the ready list, or {3, state or nil,
    /// {value or nil, PTTL} per preloaded key}: appended to an idle, empty
    /// conversation and leased to the caller with the token, so this
    /// instance handles it without the ready list.
    static let append = RedisScript("""
        if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
        if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
        redis.call('SET', KEYS[2], '1', 'EX', ARGV[3])
        local length = redis.call('RPUSH', KEYS[1], ARGV[1])
        if redis.call('EXISTS', KEYS[3]) == 0 then
          if ARGV[4] ~= '' and length == 1 then
            redis.call('SET', KEYS[3], ARGV[4], 'PX', ARGV[5])
            local preloaded = {}
            for i = 5, #KEYS do
              table.insert(preloaded, redis.call('GET', KEYS[i]))
              table.insert(preloaded, redis.call('PTTL', KEYS[i]))
            end
            return {3, redis.call('GET', KEYS[4]), preloaded}
          end
          redis.call('SET', KEYS[3], 'ready')
          return 2
        end
        return 1
        """)

    /// Takes the conversation for a dispatcher if nobody holds it.
    /// KEYS: lease, queue, state, then keys to preload. ARGV: token, lease (ms).
    /// Returns {0} held by another, {1} nothing to do, {2, head, state or
    /// nil, {value or nil, PTTL} per preloaded key}.
    static let lease = RedisScript("""
        local holder = redis.call('GET', KEYS[1])
        if holder and holder ~= 'ready' then return {0} end
        local head = redis.call('LINDEX', KEYS[2], 0)
        if not head then
          redis.call('DEL', KEYS[1])
          return {1}
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        local preloaded = {}
        for i = 4, #KEYS do
          table.insert(preloaded, redis.call('GET', KEYS[i]))
          table.insert(preloaded, redis.call('PTTL', KEYS[i]))
        end
        return {2, head, redis.call('GET', KEYS[3]), preloaded}
        """)

    /// Extends a lease its holder still has. KEYS: lease. ARGV: token, lease (ms).
    /// Returns 1 renewed, 0 lost.
    static let renew = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """)

    /// Hands back a conversation whose step was cut off (shutdown), at the
    /// head of the ready list so it keeps its turn. KEYS: lease, ready.
    /// ARGV: token, conversation. Returns 1 released, 0 not held any more.
    static let release = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], 'ready')
        redis.call('LPUSH', KEYS[2], ARGV[2])
        return 1
        """)

    /// The atomic step: acknowledge the head update, save the state (a kept
    /// state gets its FSM TTL again: a user answering invalidly keeps the
    /// flow), run the step's writes, append the replies, and release the conversation — or
    /// mark it ready when more updates wait. With a claim token it also
    /// claims the outbox for this instance's relay when the new replies are
    /// its only entries and nobody has it in flight. KEYS: lease, queue,
    /// state, outbox, outbox lease. ARGV: token, state mode (`keep`, `set` or
    /// `clear`), state, state TTL (s), claim token (empty: do not claim),
    /// claim (ms), number of writes, each write as its argument count and
    /// arguments (keys of the conversation's hash tag only), replies…
    /// Returns {-1} lease lost (nothing written), else {released (0) or ready
    /// again (1), claim}, claim being 1 claimed, 0 nothing to claim or in
    /// flight elsewhere, 2 not claimed because older replies wait for a retry.
    static let commit = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1} end
        redis.call('LPOP', KEYS[2])
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
          local before = redis.call('LLEN', KEYS[4])
          for i = next, #ARGV do redis.call('RPUSH', KEYS[4], ARGV[i]) end
          if ARGV[5] ~= '' and redis.call('EXISTS', KEYS[5]) == 0 then
            if before == 0 then
              redis.call('SET', KEYS[5], ARGV[5], 'PX', ARGV[6])
              claim = 1
            else
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
    /// Returns {0, pttl} leased, {1} idle and empty, {2} has work and no
    /// holder (marked `ready`; make sure it is in the ready list).
    static let inspect = RedisScript("""
        local holder = redis.call('GET', KEYS[1])
        if holder and holder ~= 'ready' then return {0, redis.call('PTTL', KEYS[1])} end
        if redis.call('LLEN', KEYS[2]) == 0 then
          if holder then redis.call('DEL', KEYS[1]) end
          return {1}
        end
        if not holder then redis.call('SET', KEYS[1], 'ready') end
        return {2}
        """)

    /// Puts a conversation in the ready list unless it is there already, and
    /// sets when the sweeper looks at it next. KEYS: ready, watch.
    /// ARGV: conversation, deadline (ms since 1970). Returns 1 pushed, 0 already there.
    static let schedule = RedisScript("""
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
        if redis.call('LPOS', KEYS[1], ARGV[1]) then return 0 end
        redis.call('RPUSH', KEYS[1], ARGV[1])
        return 1
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
    /// Returns {0, pttl} in flight elsewhere, {1} empty, {2, reply…}, {3}
    /// empty while a dispatcher holds the conversation: its commit registers
    /// the conversation in the bot's outbox set *before* it appends the
    /// replies, so an empty outbox then may be about to fill.
    static let claimReplies = RedisScript("""
        if redis.call('EXISTS', KEYS[1]) == 1 then return {0, redis.call('PTTL', KEYS[1])} end
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

    /// Removes the one reply a claim's holder just got Telegram's answer for,
    /// and extends the claim: replies are settled one by one, so a takeover
    /// never resends one Telegram accepted. KEYS: outbox lease, outbox.
    /// ARGV: token, claim (ms). Returns 1 settled, 0 claim lost.
    static let settleOneReply = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('LPOP', KEYS[2])
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """)

    /// Removes the replies a claim's holder is done with and, when asked and
    /// more were committed meanwhile, keeps the claim and returns them.
    /// KEYS: outbox lease, outbox. ARGV: token, replies done with, `1` to go
    /// on, claim (ms), most replies to return.
    /// Returns {-1} claim lost, {1, replies left} claim ended, {2, reply…} go on.
    static let settleReplies = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {-1} end
        local done = tonumber(ARGV[2])
        if done > 0 then redis.call('LTRIM', KEYS[2], done, -1) end
        if ARGV[3] == '1' then
          local replies = redis.call('LRANGE', KEYS[2], 0, tonumber(ARGV[5]) - 1)
          if #replies > 0 then
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            table.insert(replies, 1, 2)
            return replies
          end
        end
        redis.call('DEL', KEYS[1])
        return {1, redis.call('LLEN', KEYS[2])}
        """)
}
