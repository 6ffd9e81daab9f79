import Foundation
import HTTPTypes
import Hummingbird
import Persistence
import TelegramBotAPI

extension OperatorAPI {
    /// `m-<n>-<bot>` / `s-<n>-<bot>`: the number and the bot, so a lookup needs nothing else.
    static func identifier(_ kind: Character, number: Int, bot: BotID) -> String {
        "\(kind)-\(number)-\(bot.name)"
    }

    /// The number and bot of an identifier of `kind`; a 404 when it is not one.
    func parse(_ id: String, kind: Character, what: String) throws(APIError) -> (Int, BotID) {
        let notFound = APIError(.notFound, code: "not_found", message: "no \(what) \(id.prefix(100))")
        guard id.count <= 200, id.first == kind, id.dropFirst().first == "-" else { throw notFound }
        let rest = id.dropFirst(2)
        let digits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 15, let number = Int(digits), rest.dropFirst(digits.count).first == "-" else { throw notFound }
        let name = String(rest.dropFirst(digits.count + 1))
        guard let bot = self.parts.bots.first(where: { $0.name == name }) else { throw notFound }
        return (number, bot)
    }

    /// The `Idempotency-Key`, checked: 1–255 visible ASCII characters.
    func idempotencyKey(_ request: Request) throws(APIError) -> String? {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!] else { return nil }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x21...0x7e).contains($0) }) else {
            throw .invalid("Idempotency-Key", "expected 1 to 255 visible ASCII characters")
        }
        return key
    }

    func message(from call: Call, extra: Set<String>) throws(APIError) -> (OperatorMessage, [String: JSONValue]) {
        let body = try JSONValue.object(from: call.body)
        let templates = self.parts.templates
        let message = try OperatorMessage.parse(
            body, extra: extra, bots: self.parts.bots.map(\.name), catalogs: self.parts.catalogs,
            templates: { name in templates[BotID(name)] ?? [:] })
        return (message, body)
    }

    /// `POST /api/v1/messages/send`.
    func send(_ call: Call) async throws(APIError) -> Response {
        guard let engine = self.parts.messages else { throw Self.needsRedis }
        let key = try self.idempotencyKey(call.request)
        let (message, _) = try self.message(from: call, extra: [])
        let bot = BotID(message.bot)
        let locale = await self.parts.languages.locale(bot: bot, chatID: message.chatID)
        let outbound = try message.call(locale: locale, catalogs: self.parts.catalogs, templates: self.parts.templates[bot] ?? [:])
        let answer: @Sendable (Int) -> String = { number in
            JSONText.render([("id", .string(Self.identifier("m", number: number, bot: bot))), ("status", .string("queued"))])
        }
        let enqueued: APIMessageStore.Enqueued
        do {
            enqueued = try await engine.store.enqueue(
                .init(call: outbound, priority: message.priority, subject: call.subject), bot: bot, idempotencyKey: key, answer: answer)
        } catch {
            self.logger.warning("operator API message not queued", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
            throw APIError.unavailable("Redis")
        }
        switch enqueued {
        case .queued(let number):
            engine.nudge(bot)
            return Self.json(.accepted, answer(number))
        case .replayed(let first):
            return Self.json(.accepted, first, headers: [HTTPField.Name("Idempotent-Replayed")!: "true"])
        }
    }

    /// `GET /api/v1/messages/{id}`.
    func message(_ call: Call) async throws(APIError) -> Response {
        guard let engine = self.parts.messages else { throw Self.needsRedis }
        let id = call.parameters[0]
        let (number, bot) = try self.parse(id, kind: "m", what: "message")
        let stored: [String: String]?
        do {
            stored = try await engine.store.message(bot: bot, number: number)
        } catch {
            throw APIError.unavailable("Redis")
        }
        guard let fields = stored else { throw APIError(.notFound, code: "not_found", message: "no message \(id) (statuses are kept 7 days)") }
        var body: [(String, JSONText)] = [
            ("id", .string(id)), ("bot", .string(bot.name)), ("status", .string(fields["status"] ?? "queued")),
            ("chat_id", .integer(Int(fields["chat"] ?? "") ?? 0)), ("priority", .string(fields["priority"] ?? "normal")),
        ]
        if let created = fields["created"].flatMap({ Int64($0) }) { body.append(("created_at", .string(RFC3339.format(created)))) }
        if let schedule = fields["schedule"], let number = Int(schedule) {
            body.append(("schedule_id", .string(Self.identifier("s", number: number, bot: bot))))
        }
        switch fields["status"] {
        case "sent":
            body.append(("message_id", .integer(Int(fields["message_id"] ?? "") ?? 0)))
            if let settled = fields["settled"].flatMap({ Int64($0) }) { body.append(("sent_at", .string(RFC3339.format(settled)))) }
        case "failed":
            body.append((
                "error",
                .object([("code", .integer(Int(fields["error_code"] ?? "") ?? 0)), ("description", .string(fields["error"] ?? "unknown"))])
            ))
            if let settled = fields["settled"].flatMap({ Int64($0) }) { body.append(("failed_at", .string(RFC3339.format(settled)))) }
        default: break
        }
        return Self.json(.ok, JSONText.render(body))
    }

    static let needsRedis = APIError(
        .serviceUnavailable, code: "not_configured", message: "messages and schedules are kept in Redis; set REDIS_URL to use them")

    // MARK: Schedules

    /// `POST /api/v1/messages/schedule`.
    func schedule(_ call: Call) async throws(APIError) -> Response {
        guard let store = self.parts.schedules else { throw Self.needsRedis }
        let key = try self.idempotencyKey(call.request)
        let (message, body) = try self.message(from: call, extra: ScheduleDefinition.fields)
        let bot = BotID(message.bot)
        let now: Int64
        do {
            now = try await store.now()
        } catch {
            throw APIError.unavailable("Redis")
        }
        let definition = try ScheduleDefinition.parse(body, message: message, now: now, minimumEvery: self.configuration.minimumEvery, subject: call.subject)
        guard let first = definition.firstOccurrence else { throw .invalid("cron", "has no occurrence between at and until") }
        let answer: @Sendable (Int) -> String = { number in
            JSONText.render([("id", .string(Self.identifier("s", number: number, bot: bot))), ("next_at", .string(RFC3339.format(first)))])
        }
        let created: APIMessageStore.Enqueued
        do {
            created = try await store.create(definition, first: first, bot: bot, idempotencyKey: key, answer: answer)
        } catch {
            self.logger.warning("schedule not stored", metadata: ["bot": "\(bot.name)", "error": "\(error)"])
            throw APIError.unavailable("Redis")
        }
        switch created {
        case .queued(let number):
            if let repository = self.parts.scheduleRepository, let json = try? JSONEncoder().encode(definition) {
                do {
                    try await repository.insert(bot: bot.name, number: number, definition: String(decoding: json, as: UTF8.self))
                } catch {
                    // Redis has it and fires it; only its copy for a Redis that loses its data is missing.
                    self.logger.warning("schedule not copied to PostgreSQL", metadata: ["bot": "\(bot.name)", "schedule": "\(number)", "error": "\(error)"])
                }
            }
            self.logger.notice("schedule created", metadata: ["bot": "\(bot.name)", "schedule": "\(number)", "sub": "\(call.subject ?? "-")"])
            return Self.json(.created, answer(number))
        case .replayed(let first):
            return Self.json(.created, first, headers: [HTTPField.Name("Idempotent-Replayed")!: "true"])
        }
    }

    func render(_ stored: ScheduleStore.Stored, bot: BotID) -> JSONText {
        let definition = stored.definition
        var fields: [(String, JSONText)] = [
            ("id", .string(Self.identifier("s", number: stored.number, bot: bot))), ("bot", .string(bot.name)),
            ("status", .string(stored.next == nil ? "finished" : "active")),
            ("at", .string(RFC3339.format(definition.at))), ("timezone", .string(definition.timezone)),
            ("next_at", stored.next.map { .string(RFC3339.format($0)) } ?? .null),
            ("fired", .integer(stored.fired)), ("skipped", .integer(stored.skipped)),
            ("priority", .string(definition.message.priority.rawValue)),
        ]
        if let every = definition.every { fields.append(("every", .integer(every))) }
        if let cron = definition.cron { fields.append(("cron", .string(cron))) }
        if let until = definition.until { fields.append(("until", .string(RFC3339.format(until)))) }
        fields.append(definition.message.isUser ? ("telegram_user_id", .integer(Int(definition.message.chatID))) : ("chat_id", .integer(Int(definition.message.chatID))))
        if let template = definition.message.template { fields.append(("template", .string(template))) }
        if let last = stored.lastMessage { fields.append(("last_message_id", .string(Self.identifier("m", number: last, bot: bot)))) }
        if stored.created > 0 { fields.append(("created_at", .string(RFC3339.format(stored.created)))) }
        return .object(fields)
    }

    /// `GET /api/v1/schedules?bot=&limit=&cursor=`.
    func listSchedules(_ call: Call) async throws(APIError) -> Response {
        guard let store = self.parts.schedules else { throw Self.needsRedis }
        let query = try self.queryParameters(of: call, allowing: ["bot", "limit", "cursor"])
        var limit = 50
        if let text = query["limit"] {
            guard let value = Int(String(text)), (1...100).contains(value) else { throw .invalid("limit", "expected 1 to 100") }
            limit = value
        }
        let bots: [BotID]
        if let name = query["bot"] {
            bots = [try self.bot(named: String(name))]
        } else {
            bots = self.parts.bots
        }
        // The cursor is the last id of the previous page: bots in configured order, numbers ascending.
        var start = (botIndex: 0, after: 0)
        if let cursor = query["cursor"] {
            let parsed: (Int, BotID)
            do {
                parsed = try self.parse(String(cursor), kind: "s", what: "cursor")
            } catch {
                throw .invalid("cursor", "not a next_cursor this listing gave")
            }
            let (number, bot) = parsed
            guard let index = bots.firstIndex(of: bot) else { throw .invalid("cursor", "not a next_cursor this listing gave") }
            start = (index, number)
        }
        var page: [JSONText] = []
        var last: String?
        var more = false
        do {
            outer: for index in start.botIndex..<bots.count {
                let bot = bots[index]
                var after = index == start.botIndex ? start.after : 0
                while true {
                    let batch = try await store.list(bot: bot, after: after, limit: limit - page.count + 1)
                    for stored in batch {
                        if page.count == limit {
                            more = true
                            break outer
                        }
                        page.append(self.render(stored, bot: bot))
                        last = Self.identifier("s", number: stored.number, bot: bot)
                    }
                    guard let final = batch.last, batch.count > 0 else { break }
                    after = final.number
                }
                if page.count == limit, index + 1 < bots.count {
                    more = true
                    break
                }
            }
        } catch {
            throw APIError.unavailable("Redis")
        }
        let next: JSONText = more ? last.map(JSONText.string) ?? .null : .null
        return Self.json(.ok, JSONText.render([("schedules", .array(page)), ("next_cursor", next)]))
    }

    /// `GET /api/v1/schedules/{id}`.
    func schedule(id call: Call) async throws(APIError) -> Response {
        guard let store = self.parts.schedules else { throw Self.needsRedis }
        let id = call.parameters[0]
        let (number, bot) = try self.parse(id, kind: "s", what: "schedule")
        let stored: ScheduleStore.Stored?
        do {
            stored = try await store.schedule(bot: bot, number: number)
        } catch {
            throw APIError.unavailable("Redis")
        }
        guard let stored else { throw APIError(.notFound, code: "not_found", message: "no schedule \(id)") }
        var output = ""
        self.render(stored, bot: bot).write(into: &output)
        return Self.json(.ok, output)
    }

    /// `DELETE /api/v1/schedules/{id}`: it never fires again.
    func deleteSchedule(_ call: Call) async throws(APIError) -> Response {
        guard let store = self.parts.schedules else { throw Self.needsRedis }
        let id = call.parameters[0]
        let (number, bot) = try self.parse(id, kind: "s", what: "schedule")
        let existed: Bool
        do {
            existed = try await store.delete(bot: bot, number: number)
        } catch {
            throw APIError.unavailable("Redis")
        }
        guard existed else { throw APIError(.notFound, code: "not_found", message: "no schedule \(id)") }
        if let repository = self.parts.scheduleRepository {
            do {
                try await repository.markDeleted(bot: bot.name, number: number)
            } catch {
                self.logger.warning("deleted schedule not marked in PostgreSQL", metadata: ["bot": "\(bot.name)", "schedule": "\(number)", "error": "\(error)"])
            }
        }
        self.logger.notice("schedule deleted", metadata: ["bot": "\(bot.name)", "schedule": "\(number)", "sub": "\(call.subject ?? "-")"])
        return Response(status: .noContent)
    }
}
