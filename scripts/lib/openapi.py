# Writes Sources/Gateway/OperatorAPI/OpenAPIDocument.swift: python3 scripts/lib/openapi.py
import json
S = lambda **k: k
string = {"type": "string"}
integer = {"type": "integer"}
nullable = lambda t, **k: {"type": [t, "null"], **k}
def ref(n): return {"$ref": f"#/components/schemas/{n}"}
def err(desc): return {"description": desc, "content": {"application/json": {"schema": ref("Error")}}}
def ok(desc, schema, headers=None, links=None):
    r = {"description": desc, "content": {"application/json": {"schema": schema}}}
    if headers: r["headers"] = headers
    if links: r["links"] = links
    return r
def link(operation): return {"operationId": operation, "parameters": {"id": "$response.body#/id"}}
E401 = err("No token, or a token failing a check (signature, algorithm, kid, exp/nbf/iat, iss, aud).")
E403 = err("The token lacks the scope this operation needs.")
E400 = err("Bad input: the error's `field` names the field or parameter.")
E404 = err("No such resource.")
E413 = err("The body is over 64 KiB.")
E503 = err("Redis or PostgreSQL is not configured or did not answer; nothing was done.")
E500 = None
button = {"type": "object", "additionalProperties": False, "required": ["text"],
          "properties": {"text": {"type": "string", "minLength": 1, "maxLength": 64}, "url": string, "command": string},
          "description": "Opens `url` (http, https or tg) or runs `command` (`name` or `name arguments`, callback data at most 64 bytes) for the presser; exactly one of the two."}
message_props = {
    "bot": {"type": "string", "description": "The bot's configured name; optional when one bot runs."},
    "chat_id": {"type": "integer", "format": "int64", "description": "Any chat; give this or telegram_user_id."},
    "telegram_user_id": {"type": "integer", "format": "int64", "minimum": 1, "description": "The user's private chat."},
    "text": {"type": "string", "maxLength": 4096},
    "parse_mode": {"type": "string", "enum": ["HTML", "MarkdownV2"]},
    "template": {"type": "string", "description": "A catalog key, rendered in the recipient's language."},
    "args": {"type": "object", "additionalProperties": {"oneOf": [{"type": "string", "maxLength": 1024}, {"type": "integer"}]}},
    "buttons": {"type": "array", "maxItems": 8, "items": {"type": "array", "minItems": 1, "maxItems": 8, "items": ref("Button")}},
    "photo": {"type": "string", "description": "A Telegram file_id or an https URL; the text becomes its caption (at most 1024)."},
    "priority": {"type": "string", "enum": ["high", "normal", "low"], "default": "normal"},
}
schedule_props = dict(message_props)
schedule_props.update({
    "at": {"type": "string", "format": "date-time", "description": "RFC 3339 with an offset, in the future."},
    "every": {"type": "integer", "minimum": 1, "description": "Seconds between occurrences; at least SCHEDULE_MIN_EVERY (60 by default)."},
    "cron": {"type": "string", "description": "Five fields, read in `timezone`."},
    "timezone": {"type": "string", "default": "UTC", "description": "An IANA zone such as Asia/Tashkent."},
    "until": {"type": "string", "format": "date-time"},
})
schemas = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"],
              "properties": {"code": string, "message": string, "field": string}}}},
    "Button": button,
    "MessageRequest": {"type": "object", "additionalProperties": False, "properties": message_props},
    "ScheduleRequest": {"type": "object", "additionalProperties": False, "required": ["at"], "properties": schedule_props},
    "Queued": {"type": "object", "required": ["id", "status"], "properties": {"id": string, "status": {"const": "queued"}}},
    "ScheduleCreated": {"type": "object", "required": ["id", "next_at"], "properties": {"id": string, "next_at": {"type": "string", "format": "date-time"}}},
    "MessageStatus": {"type": "object", "required": ["id", "bot", "status", "chat_id", "priority"], "properties": {
        "id": string, "bot": string, "status": {"type": "string", "enum": ["queued", "sent", "failed"]}, "chat_id": integer,
        "priority": {"type": "string", "enum": ["high", "normal", "low"]}, "created_at": {"type": "string", "format": "date-time"},
        "schedule_id": string, "message_id": integer, "sent_at": {"type": "string", "format": "date-time"},
        "failed_at": {"type": "string", "format": "date-time"},
        "error": {"type": "object", "required": ["code", "description"], "properties": {"code": integer, "description": string}}}},
    "Schedule": {"type": "object", "required": ["id", "bot", "status", "at", "timezone", "next_at", "fired", "skipped", "priority"], "properties": {
        "id": string, "bot": string, "status": {"type": "string", "enum": ["active", "finished"]},
        "at": {"type": "string", "format": "date-time"}, "timezone": string, "next_at": nullable("string", format="date-time"),
        "fired": integer, "skipped": integer, "priority": {"type": "string", "enum": ["high", "normal", "low"]},
        "every": integer, "cron": string, "until": {"type": "string", "format": "date-time"}, "telegram_user_id": integer, "chat_id": integer,
        "template": string, "last_message_id": string, "created_at": {"type": "string", "format": "date-time"}}},
    "ScheduleList": {"type": "object", "required": ["schedules", "next_cursor"], "properties": {
        "schedules": {"type": "array", "items": ref("Schedule")}, "next_cursor": nullable("string")}},
    "BotsStatus": {"type": "object", "required": ["bots", "instances", "taken_at"], "properties": {
        "bots": {"type": "array", "items": {"type": "object", "required": ["name", "username", "mode", "last_webhook_error", "updates_last_minute",
            "updates_last_hour", "inbox_depth", "outbox_depth", "dead_letters", "rate_limited_last_hour", "sending_paused", "circuits"], "properties": {
            "name": string, "username": nullable("string"), "mode": {"type": "string", "enum": ["webhook", "polling"]},
            "last_webhook_error": nullable("string"), "updates_last_minute": integer, "updates_last_hour": integer,
            "inbox_depth": nullable("integer"), "outbox_depth": nullable("integer"), "dead_letters": nullable("integer"),
            "rate_limited_last_hour": integer, "sending_paused": nullable("string"),
            "api_messages": {"type": "object", "required": ["queued", "in_flight"], "properties": {"queued": integer, "in_flight": integer}},
            "circuits": {"type": "object", "additionalProperties": {"type": "string"}}}}},
        "instances": {"type": "array", "items": {"type": "object", "required": ["id", "version", "last_heartbeat", "this"], "properties": {
            "id": string, "version": string, "started_at": {"type": "string", "format": "date-time"},
            "last_heartbeat": {"type": "string", "format": "date-time"}, "this": {"type": "boolean"}}}},
        "taken_at": {"type": "string", "format": "date-time"}}},
    "Stats": {"type": "object", "required": ["period", "from", "bots"], "properties": {
        "period": {"type": "string", "enum": ["hour", "day", "week"]}, "from": {"type": "string", "format": "date-time"},
        "bots": {"type": "array", "items": {"type": "object", "required": ["bot", "updates", "commands", "errors", "replies_sent", "replies_refused",
            "rate_limited", "handling_ms", "new_users", "active_users"], "properties": {
            "bot": string, "updates": {"type": "object", "additionalProperties": integer}, "commands": {"type": "object", "additionalProperties": integer},
            "errors": {"type": "object", "additionalProperties": integer}, "replies_sent": integer, "replies_refused": integer, "rate_limited": integer,
            "handling_ms": {"type": "object", "required": ["p50", "p99"], "properties": {"p50": nullable("integer"), "p99": nullable("integer")}},
            "new_users": integer, "active_users": integer}}}}},
    "AdminCommand": {"type": "object", "additionalProperties": False, "required": ["command"], "properties": {
        "command": {"type": "string", "enum": ["status", "maintenance", "enable_command", "disable_command", "set_rate_limit",
                                              "broadcast_pause", "broadcast_resume", "broadcast_cancel"]},
        "args": {"type": "object", "description": "maintenance: {enabled, message?}; enable_command/disable_command: {command}; set_rate_limit: {limit, value}; broadcast_*: {id}."},
        "bot": string}},
    "AdminCommandResult": {"type": "object", "description": "status: as GET /bots/status; maintenance and set_rate_limit: {bot, settings}; enable/disable_command: {bot, command, enabled}; broadcast_*: {bot, id, status}.",
        "properties": {"bot": string, "settings": {"type": "object", "additionalProperties": nullable("string")}, "command": string,
                       "enabled": {"type": "boolean"}, "id": integer, "status": string, "bots": {"type": "array"}, "instances": {"type": "array"}, "taken_at": string}},
}
idem = {"name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
        "description": "The same key for the same bot within 24 h returns the first answer and queues nothing more."}
replayed = {"Idempotent-Replayed": {"schema": {"type": "string"}, "description": "`true` when this is the first answer to a used key."}}
idparam = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
def body(name): return {"required": True, "content": {"application/json": {"schema": ref(name)}}}
paths = {
    "/api/v1/messages/send": {"post": {"operationId": "sendMessage", "summary": "Queue a message (scope messages:send).", "parameters": [idem],
        "requestBody": body("MessageRequest"),
        "responses": {"202": ok("Queued.", ref("Queued"), replayed, {"GetMessage": link("getMessage")}), "400": E400, "401": E401, "403": E403, "413": E413, "503": E503}}},
    "/api/v1/messages/schedule": {"post": {"operationId": "scheduleMessage", "summary": "Schedule a message, once or recurring (scope messages:schedule).",
        "parameters": [idem], "requestBody": body("ScheduleRequest"),
        "responses": {"201": ok("Scheduled.", ref("ScheduleCreated"), replayed, {"GetSchedule": link("getSchedule"), "DeleteSchedule": link("deleteSchedule")}), "400": E400, "401": E401, "403": E403, "413": E413, "503": E503}}},
    "/api/v1/messages/{id}": {"get": {"operationId": "getMessage", "summary": "A message's status (scope messages:send).", "parameters": [idparam],
        "responses": {"200": ok("The status.", ref("MessageStatus")), "401": E401, "403": E403, "404": E404, "503": E503}}},
    "/api/v1/schedules": {"get": {"operationId": "listSchedules", "summary": "Schedules, a page at a time (scope messages:schedule).", "parameters": [
        {"name": "bot", "in": "query", "required": False, "schema": string},
        {"name": "limit", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 50}},
        {"name": "cursor", "in": "query", "required": False, "schema": string, "description": "`next_cursor` of the previous page."}],
        "responses": {"200": ok("A page.", ref("ScheduleList")), "400": E400, "401": E401, "403": E403, "503": E503}}},
    "/api/v1/schedules/{id}": {
        "get": {"operationId": "getSchedule", "summary": "One schedule (scope messages:schedule).", "parameters": [idparam],
                "responses": {"200": ok("The schedule.", ref("Schedule")), "401": E401, "403": E403, "404": E404, "503": E503}},
        "delete": {"operationId": "deleteSchedule", "summary": "Delete a schedule; it never fires again (scope messages:schedule).", "parameters": [idparam],
                   "responses": {"204": {"description": "Deleted."}, "401": E401, "403": E403, "404": E404, "503": E503}}},
    "/api/v1/bots/status": {"get": {"operationId": "botsStatus", "summary": "Bots, queues, circuits and live instances (scope stats:read).",
        "responses": {"200": ok("The status.", ref("BotsStatus")), "401": E401, "403": E403}}},
    "/api/v1/stats": {"get": {"operationId": "stats", "summary": "Statistics from PostgreSQL (scope stats:read).", "parameters": [
        {"name": "period", "in": "query", "required": False, "schema": {"type": "string", "enum": ["hour", "day", "week"], "default": "day"}},
        {"name": "bot", "in": "query", "required": False, "schema": string}],
        "responses": {"200": ok("The statistics.", ref("Stats")), "400": E400, "401": E401, "403": E403, "503": E503}}},
    "/api/v1/admin/command": {"post": {"operationId": "adminCommand", "summary": "The in-chat admin commands over HTTP, audited with the token's sub (scope admin).",
        "requestBody": body("AdminCommand"),
        "responses": {"200": ok("Done.", ref("AdminCommandResult")), "400": E400, "401": E401, "403": E403, "404": E404, "413": E413, "503": E503}}},
    "/api/v1/openapi.json": {"get": {"operationId": "openapi", "summary": "This document (any valid token).",
        "responses": {"200": {"description": "The document.", "content": {"application/json": {"schema": {"type": "object"}}}}, "401": E401}}},
}
doc = {"openapi": "3.1.0",
       "info": {"title": "Bot Gateway operator API", "version": "0.5.0",
                "description": "Send, schedule and look up messages, read status and statistics, run admin commands. Scopes: messages:send, messages:schedule, stats:read, admin (implies all)."},
       "servers": [{"url": "/"}],
       "security": [{"bearerAuth": []}],
       "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}, "schemas": schemas},
       "paths": paths}
text = json.dumps(doc, indent=1, ensure_ascii=False)
assert '"""' not in text
body_lines = "\n".join("    " + l for l in text.split("\n"))
swift = '''/// The operator API in OpenAPI 3.1, served at `GET /api/v1/openapi.json`;
/// `OperatorAPITests` checks its paths against the routes and schemathesis
/// checks the answers against it. Generated by `scripts/lib/openapi.py`.
enum OpenAPIDocument {
    static let json = ##"""
''' + body_lines + '''
    """##
}
'''
open("/work/main/Sources/Gateway/OperatorAPI/OpenAPIDocument.swift", "w").write(swift)
print(len(paths), len(schemas))
