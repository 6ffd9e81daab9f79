import CurlHTTP
import Foundation
import Gateway
import GatewayTestSupport
import Logging
import Synchronization
import TelegramBotAPI
import TelegramEmulator
import Testing

/// Delivery under faults through the real `bot-gateway serve`: processes
/// killed with SIGKILL and restarted under the same `INSTANCE_ID` with a
/// poison update (the UK bot's kill loop is in `CrashRecoveryTests`). A forward bot is the bot under
/// test: its backend decides how long each step takes.
@Suite("Delivery under faults in bot-gateway serve", .serialized, .timeLimit(.minutes(3)))
struct FaultProcessTests {
    /// The fake Telegram keeps redelivering while a process restarts, as Telegram does.
    static func telegram() async throws -> FakeTelegram {
        let telegram = FakeTelegram(configuration: .init(webhook: .init(maxAttempts: 200, initialBackoff: .milliseconds(100), maxBackoff: .milliseconds(500))))
        try await telegram.start()
        return telegram
    }

    static func environment(telegram: FakeTelegram, backend url: String, port: Int, extra: [String: String] = [:]) throws -> (env: [String: String], file: String) {
        let file = try ForwardProcessTests.configFile("""
            [{"name": "shop", "kind": "forward", "token": "\(telegram.configuration.token)", "secret": "\(ForwardWorld.webhookSecret)",
              "webhook_path": "/webhook/shop", "url": "\(url)", "signing_secret": "\(TestBot.secret)", "timeout": 60, "attempts": 1}]
            """)
        var environment = try ForwardProcessTests.environment(telegram: telegram, botsFile: file, prefix: "fault-" + UUID().uuidString.prefix(8).lowercased())
        environment["GATEWAY_PORT"] = "\(port)"
        environment["REDIS_LEASE_TIMEOUT"] = "30"
        environment["STEP_TIMEOUT"] = "90"
        // Far above what a test sends: these tests are about faults, not limits.
        environment["RATE_LIMIT_MESSAGES_PER_MINUTE"] = "10000"
        environment["RATE_LIMIT_MESSAGES_PER_HOUR"] = "100000"
        environment.merge(extra) { $1 }
        return (environment, file)
    }

    static func pointWebhook(_ telegram: FakeTelegram, at port: Int) async throws {
        let http = try HTTPClient()
        let client = BotAPIClient(configuration: .init(token: telegram.configuration.token, baseURL: telegram.baseURL), httpClient: http, logger: Logger(label: "faults"))
        do {
            try await client.setWebhook(SetWebhook(url: "http://127.0.0.1:\(port)/webhook/shop", secretToken: ForwardWorld.webhookSecret))
        } catch {
            await http.shutdown()
            throw error
        }
        await http.shutdown()
    }

    /// Texts the bot sent to `chat`, in order.
    static func texts(_ telegram: FakeTelegram, chat: Int64) -> [String] {
        telegram.botEvents(inChat: chat).compactMap(\.message.text)
    }

    @Test("an update whose step dies with its process every time is a dead letter after DEAD_LETTER_AFTER tries; the rest goes on; dead-letters replay runs it again")
    func poisonUpdate() async throws {
        let poisoned = Flag()
        poisoned.turnOn()
        try await TestBackend.with(respond: { call, _ in
            let text = call.text ?? ""
            if text == "poison" && poisoned.isOn {
                // Never answers in time: the test kills the process mid-call, as a crash would.
                try? await Task.sleep(for: .seconds(60))
            }
            return call.reply("done: \(text)")
        }) { backend, url in
            let telegram = try await Self.telegram()
            let port = try LocalPort.free()
            let (environment, file) = try Self.environment(
                telegram: telegram, backend: url, port: port, extra: ["INSTANCE_ID": "poison-test", "DEAD_LETTER_AFTER": "3"])
            defer { try? FileManager.default.removeItem(atPath: file) }
            var processes: [GatewayProcess] = [try GatewayProcess(number: 1, environment: environment)]
            do {
                _ = try await processes[0].listeningPort()
                try await Self.pointWebhook(telegram, at: port)
                let victim = telegram.privateUser(id: 9901, firstName: "P", languageCode: "en")
                let bystander = telegram.privateUser(id: 9902, firstName: "B", languageCode: "en")
                let poison = victim.send("poison")
                func poisonCalls() -> Int { backend.calls.filter { $0.text == "poison" }.count }
                for attempt in 1...3 {
                    try await waitUntil("attempt \(attempt) at the poison update", timeout: .seconds(30)) { poisonCalls() == attempt }
                    try await processes[processes.count - 1].kill()
                    processes.append(try GatewayProcess(number: processes.count + 1, environment: environment))
                    _ = try await processes[processes.count - 1].listeningPort()
                    if attempt == 2 { _ = bystander.send("hello") }
                }
                let notice = try await eventually("the notice to the victim", timeout: .seconds(30)) {
                    Self.texts(telegram, chat: victim.chat.id).first
                }
                #expect(notice == "Something went wrong on our side. Please try again later.")
                #expect(poisonCalls() == 3, "never run a fourth time")
                _ = victim.send("after")
                try await waitUntil("the victim's next message answered", timeout: .seconds(15)) {
                    Self.texts(telegram, chat: victim.chat.id).contains("done: after")
                }
                try await waitUntil("the bystander answered", timeout: .seconds(15)) {
                    Self.texts(telegram, chat: bystander.chat.id) == ["done: hello"]
                }

                let listed = try await GatewayProcess.command(["dead-letters", "list"], environment: environment)
                #expect(listed.status == 0, "\(listed.errors)")
                #expect(listed.output.contains("shop: 1 dead letter"), "\(listed.output)")
                #expect(listed.output.contains("u\(poison.updateID)") && listed.output.contains("step_abandoned") && listed.output.contains("attempts 3"))
                let shown = try await GatewayProcess.command(["dead-letters", "show", "u\(poison.updateID)"], environment: environment)
                #expect(shown.output.contains(#""reason":"step_abandoned""#) && shown.output.contains(#"\"text\":\"poison\""#), "\(shown.output)")
                let ready = try await Self.ready(processes[processes.count - 1])
                #expect(ready.contains(#""dead_letters":{"status":"up","required":false,"counts":{"shop":1}}"#), "\(ready)")

                poisoned.turnOff()
                let replayed = try await GatewayProcess.command(["dead-letters", "replay", "u\(poison.updateID)"], environment: environment)
                #expect(replayed.status == 0, "\(replayed.errors)")
                try await waitUntil("the replayed update answered", timeout: .seconds(15)) {
                    Self.texts(telegram, chat: victim.chat.id).contains("done: poison")
                }
                #expect(Self.texts(telegram, chat: victim.chat.id) == [notice, "done: after", "done: poison"])
                let missing = try await GatewayProcess.command(["dead-letters", "drop", "u\(poison.updateID)"], environment: environment)
                #expect(missing.status != 0 && missing.errors.contains("no dead letter"), "\(missing.errors)")
            } catch {
                Issue.record("\(processes.map { $0.report(lastLines: 60) }.joined(separator: "\n"))")
                for process in processes { await process.stop(grace: .seconds(3)) }
                await telegram.shutdown()
                throw error
            }
            for process in processes { await process.stop(grace: .seconds(5)) }
            await telegram.shutdown()
        }
    }

    /// `GET /ready` on `process`'s admin listener.
    static func ready(_ process: GatewayProcess) async throws -> String {
        let port = try await process.adminPort()
        let http = try HTTPClient()
        defer { Task { await http.shutdown() } }
        let response = try await http.execute(HTTPRequest(url: "http://127.0.0.1:\(port)/ready", timeout: .seconds(5)))
        return String(decoding: response.body, as: UTF8.self)
    }
}
