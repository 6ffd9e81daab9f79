import CurlHTTP
import Foundation
import Gateway
import GatewayTestSupport
import Localization
import Persistence
import PostgresNIO
import RedisClient
import TelegramEmulator
import Testing
import UKServiceFakes

/// The operator API over real HTTP to real gateways' admin listeners, with
/// Redis, PostgreSQL and the fake Telegram: send, templates in three
/// languages, idempotency, bad input, token attacks, schedules across two
/// instances and restarts, status, statistics, admin commands, and two
/// instances sharing one Telegram budget.
@Suite("Operator API end to end", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(6)))
struct OperatorAPITests {
    static let options = BotWorld.Options(environment: OperatorClient.environment)

    @Test("send: 202 queued, then sent with Telegram's message_id; a chat that does not exist is reported failed with Telegram's reason")
    func send() async throws {
        try await BotWorld.run(Self.options) { world in
            let api = try await OperatorClient(world: world)
            let user = world.privateUser(id: 8101, firstName: "Aziz")
            let answer = try await api.send(#"{"telegram_user_id": 8101, "text": "Water is back in Block 4.", "buttons": [[{"text": "Site", "url": "https://example.com/"}]]}"#)
            #expect(answer.status == 202, "\(answer.text)")
            let id = try #require(answer.json["id"] as? String)
            #expect(answer.json["status"] as? String == "queued")
            let sent = try await api.settled(id)
            #expect(sent["status"] as? String == "sent", "\(sent)")
            let event = try #require(world.telegram.botEvents(inChat: user.chatID).last)
            #expect(event.message.text == "Water is back in Block 4.")
            #expect(sent["message_id"] as? Int == event.message.messageID)

            let failed = try await api.settled(try #require(try await api.send(#"{"chat_id": 99999991, "text": "Hello"}"#).json["id"] as? String))
            #expect(failed["status"] as? String == "failed")
            let error = try #require(failed["error"] as? [String: Any])
            #expect(error["code"] as? Int == 400 && (error["description"] as? String ?? "").contains("chat not found"), "\(failed)")
            #expect(try await api.call(.get, "/api/v1/messages/m-999999-default").status == 404)
            #expect(try await api.call(.get, "/api/v1/messages/nonsense").status == 404)
        }
    }

    @Test("templates render in each recipient's language with plurals; a request notice's Details button runs /request_status for the user")
    func templates() async throws {
        try await BotWorld.run(Self.options) { world in
            let api = try await OperatorClient(world: world)
            let people = [(8201, "en"), (8202, "ru"), (8203, "uz")].map { world.privateUser(id: Int64($0.0), firstName: "U\($0.0)", languageCode: $0.1) }
            for person in people { try await person.command("start") }
            // Their Telegram languages reach bot_sessions with the activity write-behind (every 5 s).
            try await BroadcastTests.waitForSessions(world, people.map(\.chatID))
            for person in people {
                for count in [1, 3, 5] {
                    let id = try #require(try await api.send(#"{"telegram_user_id": \#(person.chatID), "template": "notify.requests.open", "args": {"count": \#(count)}}"#).json["id"] as? String)
                    #expect(try await api.settled(id)["status"] as? String == "sent")
                    #expect(world.telegram.botEvents(inChat: person.chatID).last?.message.text == person.text("notify.requests.open", ["count": .int(count)]))
                }
            }
            #expect(people[1].text("notify.requests.open", ["count": 3]) == "У вас 3 открытые заявки.")
            #expect(people[1].text("notify.requests.open", ["count": 5]) == "У вас 5 открытых заявок.")

            // A request notice with its Details button; pressing it shows the request.
            let resident = people[0]
            try await RequestFlow.drive(resident, to: "confirm")
            let created = try await resident.press(resident.text("button.confirm"))
            let number = String(try #require(created.text.firstMatch(of: /R-[0-9]+/)).output)
            let id = try #require(try await api.send(#"{"telegram_user_id": 8201, "template": "notify.request.done", "args": {"number": "\#(number)"}}"#).json["id"] as? String)
            #expect(try await api.settled(id)["status"] as? String == "sent")
            let notice = try #require(world.telegram.botEvents(inChat: resident.chatID).last)
            #expect(notice.message.text == resident.text("notify.request.done", ["number": .string(number)]))
            let details = try await resident.press(resident.text("button.details"), inMessage: notice.message.messageID)
            #expect(details.text.contains(number), "\(details.text)")

            // The shift reminder shows its time in Tashkent, in the user's language.
            let reminder = try await api.send(#"{"telegram_user_id": 8202, "template": "notify.shift.reminder", "args": {"location": "Block 4", "starts_at": "2026-12-03T03:00:00Z"}}"#)
            #expect(try await api.settled(try #require(reminder.json["id"] as? String))["status"] as? String == "sent")
            let text = try #require(world.telegram.botEvents(inChat: 8202).last?.message.text)
            #expect(text.hasPrefix("Ваша смена на объекте Block 4 начинается") && text.contains("8:00"), "\(text)")
        }
    }

    @Test("Idempotency-Key: the same key returns the first answer and sends once")
    func idempotency() async throws {
        try await BotWorld.run(Self.options) { world in
            let api = try await OperatorClient(world: world)
            let user = world.privateUser(id: 8301, firstName: "Ann")
            let key = [HTTPHeader(name: "Idempotency-Key", value: "order-981-done")]
            let first = try await api.send(#"{"telegram_user_id": 8301, "text": "Once."}"#, headers: key)
            let second = try await api.send(#"{"telegram_user_id": 8301, "text": "Once."}"#, headers: key)
            #expect(first.status == 202 && second.status == 202)
            #expect(first.text == second.text, "\(first.text) vs \(second.text)")
            _ = try await api.settled(try #require(first.json["id"] as? String))
            try await Task.sleep(for: .seconds(1))
            #expect(world.telegram.botEvents(inChat: user.chatID).filter { $0.message.text == "Once." }.count == 1)
            let schedule = #"{"telegram_user_id": 8301, "text": "Later.", "at": "2099-01-01T00:00:00Z"}"#
            let s1 = try await api.call(.post, "/api/v1/messages/schedule", json: schedule, headers: key)
            let s2 = try await api.call(.post, "/api/v1/messages/schedule", json: schedule, headers: key)
            #expect(s1.status == 201 && s1.text == s2.text)
            #expect(try await api.call(.get, "/api/v1/schedules").json["schedules"].map { ($0 as? [Any])?.count } == 1)
            #expect(try await api.send(#"{"telegram_user_id": 8301, "text": "x"}"#, headers: [HTTPHeader(name: "Idempotency-Key", value: "has space")]).field == "Idempotency-Key")
        }
    }

    @Test("bad input: 400 naming the field, 413, 404 and 405 in the JSON error shape; nothing queued")
    func badInput() async throws {
        try await BotWorld.run(Self.options) { world in
            let api = try await OperatorClient(world: world)
            let cases: [(String, String)] = [
                (#"{"bot": "nope", "chat_id": 1, "text": "x"}"#, "bot"),
                (#"{"text": "x"}"#, "chat_id"),
                (#"{"chat_id": 1, "telegram_user_id": 2, "text": "x"}"#, "telegram_user_id"),
                (#"{"chat_id": "1", "text": "x"}"#, "chat_id"),
                (#"{"chat_id": 1, "template": "no.such.key"}"#, "template"),
                (#"{"chat_id": 1, "template": "notify.request.done"}"#, "args"),
                (#"{"chat_id": 1, "text": "\#(String(repeating: "x", count: 4097))"}"#, "text"),
                (#"{"chat_id": 1, "text": "x", "buttons": [[{"text": "Go", "command": "request_status \#(String(repeating: "9", count: 60))"}]]}"#, "buttons"),
                (#"{"chat_id": 1, "text": "x", "priority": "urgent"}"#, "priority"),
                (#"{"chat_id": 1, "text": "<b>x", "parse_mode": "HTML"}"#, "text"),
                (#"{"chat_id": 1, "text": "x", "colour": "red"}"#, "colour"),
                (#"{"chat_id": 1, "template": "notify.shift.reminder", "args": {"location": "A", "starts_at": "tomorrow"}}"#, "args"),
            ]
            for (body, field) in cases {
                let answer = try await api.send(body)
                #expect(answer.status == 400 && answer.field == field, "\(body.prefix(120)): \(answer.status) \(answer.text)")
            }
            let schedules: [(String, String)] = [
                (#"{"chat_id": 1, "text": "x", "at": "2001-01-01T00:00:00Z"}"#, "at"),
                (#"{"chat_id": 1, "text": "x", "at": "2099-01-01 00:00"}"#, "at"),
                (#"{"chat_id": 1, "text": "x", "at": "2099-01-01T00:00:00Z", "cron": "61 * * * *"}"#, "cron"),
                (#"{"chat_id": 1, "text": "x", "at": "2099-01-01T00:00:00Z", "timezone": "Mars/Olympus"}"#, "timezone"),
                (#"{"chat_id": 1, "text": "x", "at": "2099-01-01T00:00:00Z", "every": 0}"#, "every"),
            ]
            for (body, field) in schedules {
                let answer = try await api.call(.post, "/api/v1/messages/schedule", json: body)
                #expect(answer.status == 400 && answer.field == field, "\(body): \(answer.status) \(answer.text)")
            }
            #expect(try await api.send("not json").status == 400)
            #expect(try await api.send("[1]").status == 400)
            let big = try await api.call(.post, "/api/v1/messages/send", body: Array(repeating: UInt8(ascii: " "), count: 70 * 1024))
            #expect(big.status == 413)
            let unknown = try await api.call(.get, "/api/v1/nothing/here")
            #expect(unknown.status == 404 && (unknown.json["error"] as? [String: Any])?["code"] as? String == "not_found")
            let wrong = try await api.call(.put, "/api/v1/messages/send", json: "{}")
            #expect(wrong.status == 405 && (wrong.json["error"] as? [String: Any])?["code"] as? String == "method_not_allowed")
            // Nothing was queued, nothing sent.
            #expect(try await world.redis.send("EXISTS", .string("{\(world.keys.prefix):default}:api:next")).int == 0)
            #expect(world.telegram.calls("sendMessage").isEmpty)
        }
    }

    @Test("tokens: none, alg none, HS256 signed with the public key, an unknown kid, cut short, padded, expired, wrong issuer, missing scope: 401/403, nothing done, no token in the logs")
    func tokenAttacks() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("key.pem").path
        let publicKey = folder.appendingPathComponent("public.pem").path
        try await OpenSSLCommand.run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key])
        try await OpenSSLCommand.run(["pkey", "-in", key, "-pubout", "-out", publicKey])
        var options = Self.options
        options.environment["API_JWT_PUBLIC_KEY_FILE"] = publicKey
        options.environment["API_JWT_ISSUER"] = "uk-auth"
        try await BotWorld.run(options) { world in
            let api = try await OperatorClient(world: world)
            let body = #"{"chat_id": 8401, "text": "should never go"}"#
            let issuer = #","iss":"uk-auth""#
            let good = OperatorClient.token(extra: issuer)
            let publicBytes = Array(try String(contentsOfFile: publicKey, encoding: .utf8).utf8)
            let attacks: [(String, String, Int)] = [
                ("no token", "", 401),
                ("alg none", OperatorClient.base64URL(Array(#"{"alg":"none","typ":"JWT"}"#.utf8)) + "." + good.split(separator: ".")[1] + ".", 401),
                ("HS256 with the public key", OperatorClient.token(key: publicBytes, extra: issuer), 401),
                ("unknown kid", OperatorClient.token(header: #"{"alg":"HS256","kid":"elsewhere"}"#, extra: issuer), 401),
                ("cut short", String(good.dropLast(3)), 401),
                ("padded", good + "==", 401),
                ("two parts", good.split(separator: ".").prefix(2).joined(separator: "."), 401),
                ("expired", OperatorClient.token(expiresIn: -120, extra: issuer), 401),
                ("wrong issuer", OperatorClient.token(extra: #","iss":"someone""#), 401),
                ("missing scope", OperatorClient.token(scope: "stats:read", extra: issuer), 403),
            ]
            for (name, token, status) in attacks {
                let answer = try await api.call(.post, "/api/v1/messages/send", json: body, token: token)
                #expect(answer.status == status, "\(name): \(answer.status) \(answer.text)")
                #expect(!answer.text.contains(token.isEmpty ? "\u{0}" : String(token.suffix(20))), "\(name): the answer quotes the token")
            }
            // A valid token within the 60 s leeway still works, and a stats-only token reads status.
            #expect(try await api.call(.post, "/api/v1/messages/send", json: #"{"chat_id": 8401, "text": "ok"}"#, token: OperatorClient.token(expiresIn: -30, extra: issuer)).status == 202)
            #expect(try await api.call(.get, "/api/v1/bots/status", token: OperatorClient.token(scope: "stats:read", extra: issuer)).status == 200)
            try await Task.sleep(for: .milliseconds(500))
            #expect(world.telegram.calls("sendMessage").allSatisfy { $0["text"]?.stringValue != "should never go" })
            let logs = world.gateway?.report(lastLines: 2000) ?? ""
            #expect(!logs.contains(OperatorClient.secret) && !logs.contains(String(good.suffix(30))), "a secret or token reached the logs")
        }
    }

    @Test("a schedule every second across two instances fires once per occurrence, 5 of them; a deleted one never fires again")
    func recurringAcrossInstances() async throws {
        try await BotWorld.run(Self.options) { world in
            try await world.startGateway()
            let api = try await OperatorClient(world: world)
            let user = world.privateUser(id: 8501, firstName: "Rustam")
            let at = Date().addingTimeInterval(3)
            let until = at.addingTimeInterval(8)
            let body = #"{"telegram_user_id": 8501, "text": "Tick", "at": "\#(Self.rfc3339(at))", "every": 2, "until": "\#(Self.rfc3339(until))"}"#
            let created = try await api.call(.post, "/api/v1/messages/schedule", json: body)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            #expect(created.json["next_at"] as? String == Self.rfc3339(at))
            try await waitUntil("5 occurrences", timeout: .seconds(30)) {
                world.telegram.botEvents(inChat: user.chatID).filter { $0.message.text == "Tick" }.count >= 5
            }
            try await Task.sleep(for: .seconds(3))
            #expect(world.telegram.botEvents(inChat: user.chatID).filter { $0.message.text == "Tick" }.count == 5)
            let stored = try await api.call(.get, "/api/v1/schedules/\(id)").json
            #expect(stored["fired"] as? Int == 5 && stored["status"] as? String == "finished", "\(stored)")

            // Another, deleted before its first occurrence: never sent.
            let later = #"{"telegram_user_id": 8501, "text": "Never", "at": "\#(Self.rfc3339(Date().addingTimeInterval(2)))", "every": 1}"#
            let doomed = try #require(try await api.call(.post, "/api/v1/messages/schedule", json: later).json["id"] as? String)
            #expect(try await api.call(.delete, "/api/v1/schedules/\(doomed)").status == 204)
            #expect(try await api.call(.get, "/api/v1/schedules/\(doomed)").status == 404)
            #expect(try await api.call(.delete, "/api/v1/schedules/\(doomed)").status == 404)
            try await Task.sleep(for: .seconds(4))
            #expect(!world.telegram.botEvents(inChat: user.chatID).contains { $0.message.text == "Never" })
            // The definition was kept in PostgreSQL, and marked deleted there.
            let rows = try await world.database.withDatabase { database in
                try await database.client.query("SELECT count(*) FILTER (WHERE deleted_at IS NOT NULL), count(*) FROM api_schedules", logger: ScratchDatabase.logger)
                    .collect().first?.decode((Int64, Int64).self)
            }
            #expect(rows?.0 == 1 && rows?.1 == 2)
        }
    }

    @Test("a one-shot schedule survives a restart of both instances and is sent once")
    func oneShotSurvivesRestart() async throws {
        try await BotWorld.run(Self.options) { world in
            try await world.startGateway()
            let api = try await OperatorClient(world: world)
            let user = world.privateUser(id: 8601, firstName: "Dilnoza")
            let body = #"{"telegram_user_id": 8601, "text": "Reminder", "at": "\#(Self.rfc3339(Date().addingTimeInterval(5)))"}"#
            #expect(try await api.call(.post, "/api/v1/messages/schedule", json: body).status == 201)
            for gateway in world.gateways { try await gateway.kill() }
            try await Task.sleep(for: .seconds(6))
            #expect(!world.telegram.botEvents(inChat: user.chatID).contains { $0.message.text == "Reminder" })
            try await world.startGateway()
            try await world.startGateway()
            try await waitUntil("the reminder sent", timeout: .seconds(20)) {
                world.telegram.botEvents(inChat: user.chatID).contains { $0.message.text == "Reminder" }
            }
            try await Task.sleep(for: .seconds(2))
            #expect(world.telegram.botEvents(inChat: user.chatID).filter { $0.message.text == "Reminder" }.count == 1)
        }
    }

    @Test("an occurrence missed by more than SCHEDULE_MISFIRE_GRACE while no instance ran is skipped and counted, not sent late")
    func misfirePastGrace() async throws {
        var options = Self.options
        options.environment["SCHEDULE_MISFIRE_GRACE"] = "2"
        try await BotWorld.run(options) { world in
            let api = try await OperatorClient(world: world)
            let user = world.privateUser(id: 8651, firstName: "Botir")
            let body = #"{"telegram_user_id": 8651, "text": "Too late", "at": "\#(Self.rfc3339(Date().addingTimeInterval(3)))"}"#
            let id = try #require(try await api.call(.post, "/api/v1/messages/schedule", json: body).json["id"] as? String)
            for gateway in world.gateways { try await gateway.kill() }
            try await Task.sleep(for: .seconds(7))
            try await world.startGateway()
            let restarted = try await OperatorClient(world: world)
            var stored: [String: Any] = [:]
            try await waitUntil("the missed occurrence counted", timeout: .seconds(15)) {
                stored = try await restarted.call(.get, "/api/v1/schedules/\(id)").json
                return stored["status"] as? String == "finished"
            }
            #expect(stored["skipped"] as? Int == 1 && stored["fired"] as? Int == 0, "\(stored)")
            #expect(!world.telegram.botEvents(inChat: user.chatID).contains { $0.message.text == "Too late" })
        }
    }

    @Test("status, statistics and admin commands: maintenance and a command switched off on every instance, audited with the token's sub")
    func operations() async throws {
        try await BotWorld.run(Self.options) { world in
            let api = try await OperatorClient(world: world)
            let user = world.privateUser(id: 8701, firstName: "Kamola")
            try await user.command("start")
            let status = try await api.call(.get, "/api/v1/bots/status").json
            let bot = try #require((status["bots"] as? [[String: Any]])?.first)
            #expect(bot["name"] as? String == "default" && bot["mode"] as? String == "webhook")
            let instance = try #require((status["instances"] as? [[String: Any]])?.first)
            #expect(instance["version"] as? String != nil && instance["last_heartbeat"] as? String != nil, "\(instance)")

            try await waitUntil("the update counted in PostgreSQL", timeout: .seconds(20)) {
                let stats = try await api.call(.get, "/api/v1/stats?period=hour").json
                let first = (stats["bots"] as? [[String: Any]])?.first
                return ((first?["updates"] as? [String: Any])?["message"] as? Int ?? 0) >= 1 && ((first?["commands"] as? [String: Any])?["start"] as? Int ?? 0) >= 1
            }
            #expect(try await api.call(.get, "/api/v1/stats?period=year").field == "period")

            let off = try await api.call(.post, "/api/v1/admin/command", json: #"{"command": "disable_command", "args": {"command": "my_requests"}}"#)
            #expect(off.status == 200 && off.json["enabled"] as? Bool == false, "\(off.text)")
            #expect(try await user.command("my_requests").text == user.text("common.unavailable", ["command": "my_requests"]))
            let on = try await api.call(.post, "/api/v1/admin/command", json: #"{"command": "maintenance", "args": {"enabled": true, "message": "Back at 15:00."}}"#)
            #expect(on.status == 200, "\(on.text)")
            try await Task.sleep(for: .seconds(1))
            #expect(try await user.command("start").text.contains("Back at 15:00."))
            let audited = try await world.database.withDatabase { database in
                try await database.client.query("SELECT count(*) FROM admin_audit WHERE admin_name = 'api:test-suite'", logger: ScratchDatabase.logger)
                    .collect().first?.decode(Int64.self)
            }
            #expect((audited ?? 0) >= 3)
            #expect(try await api.call(.post, "/api/v1/admin/command", json: #"{"command": "reboot"}"#).field == "command")
            #expect(try await api.call(.post, "/api/v1/admin/command", json: #"{"command": "maintenance"}"#, token: OperatorClient.token(scope: "messages:send")).status == 403)
        }
    }

    @Test("OpenAPI: the document lists every endpoint and parses as OpenAPI 3.1")
    func openAPI() async throws {
        try await BotWorld.run(Self.options) { world in
            let api = try await OperatorClient(world: world)
            let answer = try await api.call(.get, "/api/v1/openapi.json")
            #expect(answer.status == 200)
            let document = answer.json
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let expected: [String: Set<String>] = [
                "/api/v1/messages/send": ["post"], "/api/v1/messages/schedule": ["post"], "/api/v1/messages/{id}": ["get"],
                "/api/v1/schedules": ["get"], "/api/v1/schedules/{id}": ["get", "delete"], "/api/v1/bots/status": ["get"],
                "/api/v1/stats": ["get"], "/api/v1/admin/command": ["post"], "/api/v1/openapi.json": ["get"],
            ]
            #expect(Set(paths.keys) == Set(expected.keys))
            for (path, methods) in expected {
                #expect(Set(paths[path]?.keys.filter { ["get", "post", "put", "delete", "patch"].contains($0) } ?? []) == methods, "\(path)")
            }
            #expect(try await api.call(.get, "/api/v1/openapi.json", token: "").status == 401)
        }
    }

    @Test("two instances send 300 low-priority messages within Telegram's limits while users chatting get their replies first")
    func sharedBudget() async throws {
        try await BotWorld.run(.init(environment: OperatorClient.environment, limits: .enforced)) { world in
            let second = try await world.startGateway()
            let apis = [try await OperatorClient(world: world, gateway: world.gateways[0]), try await OperatorClient(world: world, gateway: second)]
            let recipients = (0..<300).map { Int64(860_001 + $0) }
            for id in recipients { _ = world.telegram.privateUser(id: id, firstName: "R\(id)") }
            let chatter = world.privateUser(id: 8801, firstName: "Zarina")
            try await chatter.command("start")
            let started = ContinuousClock.now
            var ids: [String] = []
            for (index, id) in recipients.enumerated() {
                let answer = try await apis[index % 2].send(#"{"chat_id": \#(id), "text": "Notice \#(id)", "priority": "low"}"#)
                ids.append(try #require(answer.json["id"] as? String))
            }
            // While the bulk drains (300 at 30 a second is 10 s), a user's replies are not queued behind it.
            var slowest: Duration = .zero
            for _ in 0..<3 {
                let asked = ContinuousClock.now
                _ = try await chatter.command("start")
                slowest = max(slowest, ContinuousClock.now - asked)
            }
            try await waitUntil("300 notices delivered", timeout: .seconds(90)) {
                recipients.allSatisfy { id in world.telegram.botEvents(inChat: id).contains { $0.message.text == "Notice \(id)" } }
            }
            let elapsed = ContinuousClock.now - started
            #expect(slowest < .seconds(2), "a reply waited \(slowest) behind the bulk sends")
            #expect(world.telegram.tooManyRequestsCount == 0, "\(world.telegram.tooManyRequestsCount) 429s: the instances overshot together")
            #expect(elapsed > .seconds(9), "300 sends in \(elapsed): faster than Telegram's 30 a second")
            for id in recipients { #expect(world.telegram.botEvents(inChat: id).filter { $0.message.text == "Notice \(id)" }.count == 1) }
            #expect(try await apis[0].settled(ids[0])["status"] as? String == "sent")
        }
    }

    static func rfc3339(_ date: Date) -> String {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)).formatted(Date.ISO8601FormatStyle())
    }
}

/// schemathesis (from PyPI, installed by `scripts/test.sh`) against a real
/// gateway with a valid token: generated requests for every operation, no
/// 5xx, every answer as the OpenAPI document says.
@Suite("Operator API against its OpenAPI document", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(8)))
struct OperatorAPISchemaTests {
    @Test("schemathesis: no server error, every status, content type and body as documented")
    func schemathesis() async throws {
        guard let binary = ProcessInfo.processInfo.environment["SCHEMATHESIS_BIN"], !binary.isEmpty else {
            throw HarnessError("SCHEMATHESIS_BIN is not set: run ./scripts/test.sh, which installs schemathesis")
        }
        try await BotWorld.run(OperatorAPITests.options) { world in
            let api = try await OperatorClient(world: world)
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("schemathesis-\(UUID().uuidString).txt")
            defer { try? FileManager.default.removeItem(at: output) }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: binary)
            // schemathesis keeps a cache in its working folder: a temporary one, not the repository.
            process.currentDirectoryURL = FileManager.default.temporaryDirectory
            process.arguments = [
                "run", "http://127.0.0.1:\(api.port)/api/v1/openapi.json",
                "--header", "Authorization: Bearer \(OperatorClient.token(expiresIn: 3600))",
                "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance",
                "--max-examples", "25", "--request-timeout", "10", "--no-color",
            ]
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            while process.isRunning { try await Task.sleep(for: .milliseconds(200)) }
            try handle.close()
            let report = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            #expect(process.terminationStatus == 0, "schemathesis found problems:\n\(report.suffix(6000))")
        }
    }
}
