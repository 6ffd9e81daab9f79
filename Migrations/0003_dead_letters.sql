-- Dead letters: updates a bot gave up on and replies the Bot API refused for
-- good. Redis keeps the working copy (`bot-gateway dead-letters`); this row
-- is their history, kept when the Redis copy is replayed or dropped.
CREATE TABLE dead_letters (
    bot text NOT NULL,
    -- u<update_id> for an update, r<random> for a reply.
    id text NOT NULL,
    conversation text NOT NULL,
    update_id bigint NOT NULL,
    -- The update's JSON as Telegram sent it, or the reply as the outbox kept it.
    payload text NOT NULL,
    reason text NOT NULL,
    error text NOT NULL,
    attempts integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bot, id)
);

CREATE INDEX dead_letters_created ON dead_letters (bot, created_at);
