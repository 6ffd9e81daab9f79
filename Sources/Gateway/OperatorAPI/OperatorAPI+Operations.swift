import Foundation
import Hummingbird
import Persistence
import TelegramBotAPI

extension OperatorAPI {
    /// `GET /api/v1/bots/status`: what `/status` shows, per bot, as JSON.
    func botsStatus() async -> Response {
        let report = await self.parts.status.report()
        let instances: [JSONText] = report.instances.map { instance in
            var fields: [(String, JSONText)] = [("id", .string(instance.id)), ("version", .string(GatewayVersion.current))]
            if let started = instance.started { fields.append(("started_at", .string(RFC3339.format(ScheduleDefinition.milliseconds(started))))) }
            fields.append(("last_heartbeat", .string(RFC3339.format(ScheduleDefinition.milliseconds(instance.lastBeat ?? report.taken)))))
            fields.append(("this", .bool(instance.isThis)))
            return .object(fields)
        }
        var bots: [JSONText] = []
        for bot in report.bots {
            let id = BotID(bot.name)
            var fields: [(String, JSONText)] = [
                ("name", .string(bot.name)), ("username", self.parts.profiles[id]?.username.map { .string($0) } ?? .null),
                ("mode", .string(self.parts.usesWebhook ? "webhook" : "polling")),
                ("last_webhook_error", bot.webhook?.lastError.map { .string($0) } ?? .null),
                ("updates_last_minute", .integer(report.activity.updatesLastMinute[bot.name] ?? 0)),
                ("updates_last_hour", .integer(report.activity.updatesLastHour[bot.name] ?? 0)),
                ("inbox_depth", bot.waiting.map { .integer($0) } ?? .null),
                ("outbox_depth", bot.repliesPending.map { .integer($0) } ?? .null),
                ("dead_letters", bot.deadLetters.map { .integer($0) } ?? .null),
                ("rate_limited_last_hour", .integer(bot.rateLimitedLastHour)),
                ("sending_paused", bot.sendingPaused.map { .string($0) } ?? .null),
            ]
            if let store = self.parts.messages?.store, let depth = try? await store.depth(bot: id) {
                fields.append(("api_messages", .object([("queued", .integer(depth.queued)), ("in_flight", .integer(depth.inFlight))])))
            }
            let circuits = report.activity.services.sorted { $0.key < $1.key }.map { name, service -> (String, JSONText) in
                // The state most instances see; "open" wins a tie, the cautious reading.
                let state = service.circuits.max { ($0.value, $0.key == "open" ? 1 : 0) < ($1.value, $1.key == "open" ? 1 : 0) }?.key ?? "closed"
                return (name, .string(state))
            }
            fields.append(("circuits", .object(circuits)))
            bots.append(.object(fields))
        }
        return Self.json(.ok, JSONText.render([("bots", .array(bots)), ("instances", .array(instances)), ("taken_at", .string(RFC3339.format(ScheduleDefinition.milliseconds(report.taken))))]))
    }

    /// `GET /api/v1/stats?period=hour|day|week[&bot=]`.
    func stats(_ call: Call) async throws(APIError) -> Response {
        let query = try self.queryParameters(of: call, allowing: ["period", "bot"])
        let seconds: Double
        switch query["period"].map(String.init) ?? "day" {
        case "hour": seconds = 3600
        case "day": seconds = 86400
        case "week": seconds = 7 * 86400
        default: throw .invalid("period", "expected hour, day or week")
        }
        var bots = self.parts.bots
        if let name = query["bot"] { bots = [try self.bot(named: String(name))] }
        guard let metrics = self.parts.metrics else {
            throw APIError(.serviceUnavailable, code: "not_configured", message: "statistics come from PostgreSQL; set DATABASE_URL to keep them")
        }
        let from = self.now().addingTimeInterval(-seconds)
        var rendered: [JSONText] = []
        for bot in bots {
            let summary: MetricsRepository.Summary
            do {
                summary = try await metrics.summary(bot: bot.name, from: from)
            } catch {
                throw APIError.unavailable("PostgreSQL")
            }
            func counts(_ kind: String) -> JSONText {
                .object((summary.counts[kind] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) })
            }
            let telegram = summary.counts["telegram"] ?? [:]
            rendered.append(.object([
                ("bot", .string(bot.name)),
                ("updates", counts("update")),
                ("commands", counts("command")),
                ("errors", counts("error")),
                ("replies_sent", .integer(telegram["ok"] ?? 0)),
                ("replies_refused", .integer((telegram["error"] ?? 0) + (telegram["network"] ?? 0))),
                ("rate_limited", .integer(telegram["rate_limited"] ?? 0)),
                ("handling_ms", .object([("p50", summary.p50.map { .integer(Int($0.rounded())) } ?? .null), ("p99", summary.p99.map { .integer(Int($0.rounded())) } ?? .null)])),
                ("new_users", .integer(summary.newUsers)),
                ("active_users", .integer(summary.activeUsers)),
            ]))
        }
        return Self.json(.ok, JSONText.render([
            ("period", .string(query["period"].map(String.init) ?? "day")), ("from", .string(RFC3339.format(ScheduleDefinition.milliseconds(from)))),
            ("bots", .array(rendered)),
        ]))
    }

    /// `POST /api/v1/admin/command`: the in-chat admin commands over HTTP,
    /// with the same effect on every instance, audited with the token's `sub`.
    func adminCommand(_ call: Call) async throws(APIError) -> Response {
        let body = try JSONValue.object(from: call.body)
        if let unknown = body.keys.sorted().first(where: { !["command", "args", "bot"].contains($0) }) {
            throw .invalid(unknown, "not a field of this endpoint (command, args, bot)")
        }
        guard case .string(let command)? = body["command"] else { throw .invalid("command", "required: a string") }
        var args: [String: JSONValue] = [:]
        switch body["args"] {
        case nil, .null?: break
        case .object(let object)?: args = object
        case let other?: throw .invalid("args", "expected an object, got \(other.kindName)")
        }
        let botName: String?
        switch body["bot"] ?? args["bot"] {
        case nil, .null?: botName = nil
        case .string(let name)?: botName = name
        case let other?: throw .invalid("bot", "expected a string, got \(other.kindName)")
        }
        let admin = AdminAudit.Admin(id: 0, name: "api:\(call.subject ?? "unknown")")
        func string(_ name: String) throws(APIError) -> String {
            guard case .string(let value)? = args[name] else { throw .invalid("args.\(name)", "required: a string") }
            return value
        }
        func integer(_ name: String) throws(APIError) -> Int {
            guard case .int(let value)? = args[name], let int = Int(exactly: value) else { throw .invalid("args.\(name)", "required: an integer") }
            return int
        }
        switch command {
        case "status":
            return await self.botsStatus()
        case "maintenance":
            let bot = try self.bot(named: botName)
            guard case .bool(let on)? = args["enabled"] else { throw .invalid("args.enabled", "required: true or false") }
            if case .string(let message)? = args["message"] {
                try await self.change(.maintenanceMessage, to: message, bot: bot, admin: admin)
            }
            try await self.change(.maintenance, to: on ? "on" : nil, bot: bot, admin: admin)
            return self.settingsAnswer(bot)
        case "set_rate_limit":
            let bot = try self.bot(named: botName)
            let limit = try string("limit")
            let setting: AdminSetting
            switch limit {
            case "messages_per_minute": setting = .messagesPerMinute
            case "messages_per_hour": setting = .messagesPerHour
            case "commands_per_minute": setting = .commandsPerMinute
            default: throw .invalid("args.limit", "expected messages_per_minute, messages_per_hour or commands_per_minute")
            }
            let value: String?
            switch args["value"] {
            case .null?: value = nil
            case .int(let number)?: value = String(number)
            default: throw .invalid("args.value", "required: an integer, or null for the environment's limit")
            }
            try await self.change(setting, to: value, bot: bot, admin: admin)
            return self.settingsAnswer(bot)
        case "enable_command", "disable_command":
            let bot = try self.bot(named: botName)
            let name = try string("command")
            guard let commands = self.parts.commandSwitches[bot] else { throw .invalid("bot", "\(bot.name) has no switchable commands") }
            let enabled = command == "enable_command"
            let result: (wasEnabled: Bool, menus: [SetMyCommands])?
            do {
                result = try await commands.setEnabled(enabled, command: name)
            } catch {
                throw APIError.unavailable("The command store")
            }
            guard let result else { throw .invalid("args.command", "\(bot.name) has no command \(name.prefix(64))") }
            await self.parts.settings.record(bot: bot, admin: admin, setting: "command.\(name)", before: result.wasEnabled ? "on" : "off", after: enabled ? "on" : "off")
            if let sender = self.parts.senders[bot] {
                for menu in result.menus { sender.submit(.setMyCommands(menu), priority: .normal, readingResult: false) { _ in } }
            }
            return Self.json(.ok, JSONText.render([("bot", .string(bot.name)), ("command", .string(name)), ("enabled", .bool(enabled))]))
        case "broadcast_pause", "broadcast_resume", "broadcast_cancel":
            let bot = try self.bot(named: botName)
            guard let broadcasts = self.parts.broadcasts else {
                throw APIError(.serviceUnavailable, code: "not_configured", message: "broadcasts need Redis and PostgreSQL")
            }
            let id = try integer("id")
            let broadcast: Broadcast
            do {
                switch command {
                case "broadcast_pause": broadcast = try await broadcasts.pause(bot: bot, id: id)
                case "broadcast_resume": broadcast = try await broadcasts.resume(bot: bot, id: id)
                default: broadcast = try await broadcasts.cancel(bot: bot, id: id)
                }
            } catch {
                if error.code == .notFound { throw APIError(.notFound, code: "not_found", message: error.message) }
                throw APIError.unavailable("Redis or PostgreSQL")
            }
            await self.parts.settings.record(bot: bot, admin: admin, setting: "broadcast.\(id)", before: nil, after: broadcast.status.rawValue)
            return Self.json(.ok, JSONText.render([("bot", .string(bot.name)), ("id", .integer(broadcast.id)), ("status", .string(broadcast.status.rawValue))]))
        default:
            throw .invalid(
                "command",
                "expected status, maintenance, enable_command, disable_command, set_rate_limit, broadcast_pause, broadcast_resume or broadcast_cancel")
        }
    }

    private func change(_ setting: AdminSetting, to value: String?, bot: BotID, admin: AdminAudit.Admin) async throws(APIError) {
        do {
            _ = try await self.parts.settings.change(setting, to: value, bot: bot, by: admin)
        } catch {
            if error.code == .storeUnavailable { throw APIError.unavailable("The settings store") }
            throw .invalid("args", error.message)
        }
    }

    private func settingsAnswer(_ bot: BotID) -> Response {
        let settings = self.parts.settings.settings(for: bot)
        let fields: [(String, JSONText)] = AdminSetting.allCases.map { ($0.rawValue, settings[$0].map(JSONText.string) ?? .null) }
        return Self.json(.ok, JSONText.render([("bot", .string(bot.name)), ("settings", .object(fields))]))
    }
}
