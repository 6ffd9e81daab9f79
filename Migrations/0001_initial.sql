-- The durable tables of DESIGN.md ("Durable tables"). Applied once by
-- `bot-gateway migrate up`; never edit this file after it has landed, add
-- 0002_….sql instead (the migrator refuses to run when a checksum changes).

-- A user per bot. Redis holds the hot copy with a TTL; this row outlives it.
-- last_activity_at and language are written behind in batches
-- (SessionActivityWriter), never once per update.
CREATE TABLE bot_sessions (
    bot text NOT NULL,
    telegram_user_id bigint NOT NULL,
    chat_id bigint,
    username text,
    first_name text,
    last_name text,
    language text,
    -- The roles last seen from the auth service.
    roles text[] NOT NULL DEFAULT '{}',
    -- The FSM state name, mirrored from Redis for analytics only.
    state text,
    last_activity_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bot, telegram_user_id)
);

-- "Active users of a bot since …" and purges of idle sessions.
CREATE INDEX bot_sessions_last_activity ON bot_sessions (bot, last_activity_at);

-- Command routing and the source of setMyCommands. required_roles empty
-- means everyone; otherwise any one of the roles grants the command.
CREATE TABLE bot_commands (
    bot text NOT NULL,
    command text NOT NULL CHECK (command ~ '^[a-z0-9_]{1,32}$'),
    -- flow:<name> runs a conversation flow, service:<name> calls a downstream service.
    target text NOT NULL CHECK (target ~ '^(flow|service):[A-Za-z0-9_.-]+$'),
    required_roles text[] NOT NULL DEFAULT '{}',
    -- {"en": "…", "ru": "…", "uz": "…"}: setMyCommands is called per language.
    descriptions jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(descriptions) = 'object'),
    enabled boolean NOT NULL DEFAULT true,
    sort_order integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (bot, command)
);

-- An admin's UPDATE (from /settings or by hand) need not remember updated_at.
CREATE FUNCTION bot_commands_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END
$$;

CREATE TRIGGER bot_commands_updated_at
    BEFORE UPDATE ON bot_commands
    FOR EACH ROW EXECUTE FUNCTION bot_commands_set_updated_at();

-- Callback payloads too large for Telegram's 64-byte callback_data, stored
-- under a short token that the button carries instead.
CREATE TABLE inline_keyboard_cache (
    token text PRIMARY KEY,
    bot text NOT NULL,
    payload text NOT NULL,
    -- What the button is about (a request, a shift), for cleanup and analytics.
    entity_type text,
    entity_id text,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

CREATE INDEX inline_keyboard_cache_expires_at ON inline_keyboard_cache (expires_at);

-- Raw events: command usage, response times, errors. Inserted in batches.
CREATE TABLE bot_metrics (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bot text NOT NULL,
    kind text NOT NULL,
    name text NOT NULL,
    duration_ms double precision,
    occurred_at timestamptz NOT NULL
);

CREATE INDEX bot_metrics_bot_occurred_at ON bot_metrics (bot, occurred_at);

-- Rollups are tables, not materialised views: the statement that inserts a
-- batch of raw events also adds it to its hour and day rows (INSERT … ON
-- CONFLICT DO UPDATE), so they are always current, cost no refresh job, and
-- instances flushing at the same time simply add up. Buckets are UTC.
-- Averages are duration_sum_ms / duration_count (events without a duration
-- count in count only).
CREATE TABLE bot_metrics_hourly (
    bot text NOT NULL,
    kind text NOT NULL,
    bucket timestamptz NOT NULL,
    name text NOT NULL,
    count bigint NOT NULL,
    duration_count bigint NOT NULL,
    duration_sum_ms double precision NOT NULL,
    -- Serves "one bot, one kind, a time range" lookups as well as the upsert.
    PRIMARY KEY (bot, kind, bucket, name)
);

CREATE TABLE bot_metrics_daily (
    bot text NOT NULL,
    kind text NOT NULL,
    bucket timestamptz NOT NULL,
    name text NOT NULL,
    count bigint NOT NULL,
    duration_count bigint NOT NULL,
    duration_sum_ms double precision NOT NULL,
    PRIMARY KEY (bot, kind, bucket, name)
);

-- The UK management bot's commands (shared/contracts/uk-bot-flows.md).
INSERT INTO bot_commands (bot, command, target, required_roles, sort_order, descriptions) VALUES
    ('uk', 'start', 'flow:start', '{}', 10,
     '{"en": "Start the bot and show the main menu", "ru": "Запустить бота и показать главное меню", "uz": "Botni ishga tushirish va asosiy menyuni ko‘rsatish"}'),
    ('uk', 'help', 'flow:help', '{}', 20,
     '{"en": "List the commands you can use", "ru": "Список доступных вам команд", "uz": "Siz foydalana oladigan buyruqlar ro‘yxati"}'),
    ('uk', 'menu', 'flow:menu', '{}', 30,
     '{"en": "Show the main menu", "ru": "Показать главное меню", "uz": "Asosiy menyuni ko‘rsatish"}'),
    ('uk', 'language', 'flow:language', '{}', 40,
     '{"en": "Change the language", "ru": "Сменить язык", "uz": "Tilni o‘zgartirish"}'),
    ('uk', 'cancel', 'flow:cancel', '{}', 50,
     '{"en": "Cancel the current action", "ru": "Отменить текущее действие", "uz": "Joriy amalni bekor qilish"}'),
    ('uk', 'create_request', 'flow:create_request', '{}', 60,
     '{"en": "Create a repair request", "ru": "Создать заявку на ремонт", "uz": "Ta’mirlash uchun ariza yaratish"}'),
    ('uk', 'my_requests', 'service:requests.mine', '{}', 70,
     '{"en": "Your recent requests and their status", "ru": "Ваши последние заявки и их статус", "uz": "So‘nggi arizalaringiz va ularning holati"}'),
    ('uk', 'request_status', 'flow:request_status', '{}', 80,
     '{"en": "Check the status of a request", "ru": "Узнать статус заявки", "uz": "Ariza holatini tekshirish"}'),
    ('uk', 'my_shifts', 'service:shifts.mine', '{executor}', 90,
     '{"en": "Your shifts", "ru": "Ваши смены", "uz": "Sizning smenalaringiz"}'),
    ('uk', 'shift_schedule', 'service:shifts.schedule', '{executor}', 100,
     '{"en": "Shift schedule for the next 7 days", "ru": "График смен на ближайшие 7 дней", "uz": "Keyingi 7 kunlik smenalar jadvali"}'),
    ('uk', 'take_shift', 'flow:take_shift', '{executor}', 110,
     '{"en": "Take an available shift", "ru": "Взять свободную смену", "uz": "Bo‘sh smenani olish"}'),
    ('uk', 'analytics', 'flow:analytics', '{manager,admin}', 120,
     '{"en": "Request analytics for a day, week or month", "ru": "Аналитика заявок за день, неделю или месяц", "uz": "Kun, hafta yoki oy bo‘yicha arizalar tahlili"}'),
    ('uk', 'users', 'flow:users', '{admin}', 130,
     '{"en": "Users and their roles", "ru": "Пользователи и их роли", "uz": "Foydalanuvchilar va ularning rollari"}'),
    ('uk', 'settings', 'flow:settings', '{admin}', 140,
     '{"en": "Commands, maintenance mode and limits", "ru": "Команды, режим обслуживания и лимиты", "uz": "Buyruqlar, texnik xizmat rejimi va limitlar"}'),
    ('uk', 'broadcast', 'flow:broadcast', '{admin}', 150,
     '{"en": "Send a message to all users or one role", "ru": "Отправить сообщение всем пользователям или одной роли", "uz": "Barcha foydalanuvchilarga yoki bitta rolga xabar yuborish"}'),
    ('uk', 'status', 'flow:status', '{admin}', 160,
     '{"en": "Gateway health, queues and services", "ru": "Состояние шлюза, очередей и сервисов", "uz": "Shlyuz, navbatlar va xizmatlar holati"}');
