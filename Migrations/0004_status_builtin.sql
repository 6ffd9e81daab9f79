-- /status is a built-in of every conversation bot (gateway health in chat),
-- no longer a flow the UK bot would have to define.
UPDATE bot_commands SET target = 'builtin:status' WHERE command = 'status' AND target = 'flow:status';
