-- /settings is a built-in of every conversation bot, as /status is.
UPDATE bot_commands SET target = 'builtin:settings' WHERE command = 'settings' AND target = 'flow:settings';

-- Who changed which setting of which bot, when, from what to what: one row
-- per change made with /settings (commands, maintenance, rate limits,
-- default language). Two admins changing one setting at once leave two rows.
CREATE TABLE admin_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot text NOT NULL,
    admin_user_id bigint NOT NULL,
    admin_name text NOT NULL DEFAULT '',
    setting text NOT NULL,
    -- NULL: not set (the environment's value or the default applies).
    before text,
    after text,
    occurred_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX admin_audit_bot_time ON admin_audit (bot, occurred_at);
