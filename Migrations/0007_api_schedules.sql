-- The operator API's schedules (POST /api/v1/messages/schedule): the
-- definitions, so a schedule outlives a Redis that lost its data. Redis
-- holds the due-time index and fires them; a gateway starting puts back
-- into Redis every schedule here that is neither deleted nor finished.
CREATE TABLE api_schedules (
    bot text NOT NULL,
    number bigint NOT NULL,
    -- The ScheduleDefinition as the API stored it (message, at, every, cron, timezone, until).
    definition jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    deleted_at timestamptz,
    PRIMARY KEY (bot, number)
);

CREATE INDEX api_schedules_active ON api_schedules (bot) WHERE deleted_at IS NULL AND finished_at IS NULL;
