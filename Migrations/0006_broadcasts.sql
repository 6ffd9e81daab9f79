-- What /broadcast chooses its audience by, kept current by the activity
-- write-behind: the roles the auth middleware last saw (NULL: none seen yet,
-- for a bot without auth or before the first login), the language the bot
-- last answered in (the chosen one, else Telegram's, else the default), and
-- when a send to the user was refused because they blocked the bot.
ALTER TABLE bot_sessions ALTER COLUMN roles DROP NOT NULL;
ALTER TABLE bot_sessions ADD COLUMN locale text;
ALTER TABLE bot_sessions ADD COLUMN blocked_at timestamptz;

-- /broadcast is a built-in of every conversation bot, as /status is.
UPDATE bot_commands SET target = 'builtin:broadcast' WHERE command = 'broadcast' AND target = 'flow:broadcast';
