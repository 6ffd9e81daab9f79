-- Commands route on their target: builtin:<name> joins flow:<name> and
-- service:<name>, so these rows are the one list of a bot's commands.
ALTER TABLE bot_commands DROP CONSTRAINT bot_commands_target_check;
ALTER TABLE bot_commands ADD CONSTRAINT bot_commands_target_check
    CHECK (target ~ '^(flow|service|builtin):[A-Za-z0-9_.-]+$');

-- What the UK bot does itself, and its user list, which is a service read.
UPDATE bot_commands SET target = 'builtin:' || command
    WHERE bot = 'uk' AND command IN ('start', 'help', 'menu', 'cancel') AND target = 'flow:' || command;
UPDATE bot_commands SET target = 'service:users.list'
    WHERE bot = 'uk' AND command = 'users' AND target = 'flow:users';

-- /admin had no row, so no role check guarded it.
INSERT INTO bot_commands (bot, command, target, required_roles, sort_order, descriptions) VALUES
    ('uk', 'admin', 'builtin:admin', '{manager,admin}', 115,
     '{"en": "Administration: analytics and users", "ru": "Администрирование: аналитика и пользователи", "uz": "Boshqaruv: tahlil va foydalanuvchilar"}')
ON CONFLICT (bot, command) DO NOTHING;
