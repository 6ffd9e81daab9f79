import CurlHTTP
import Foundation
import Gateway
import GatewayTestSupport
import Logging
import RedisClient
import Synchronization
import TelegramBotAPI
import TelegramEmulator
import Testing

/// Forward bots in the real `bot-gateway serve`, configured only by
/// environment variables and `BOTS_CONFIG_FILE`.
@Suite("Forward bots in bot-gateway serve", .serialized, .timeLimit(.minutes(2)))
struct ForwardProcessTests {
    /// Writes `json` to a temp file and returns its path.
    static func configFile(_ json: String) throws -> String {
        let path = NSTemporaryDirectory() + "bots-\(UUID().uuidString).json"
        try json.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func environment(telegram: FakeTelegram, botsFile: String, prefix: String) throws -> [String: String] {
        [
            "BOTS_CONFIG_FILE": botsFile,
            "TELEGRAM_API_URL": telegram.baseURL,
            "GATEWAY_HOST": "127.0.0.1",
            "GATEWAY_PORT": "0",
            "ADMIN_PORT": "0",
            "GATEWAY_SHUTDOWN_TIMEOUT": "2",
            "REDIS_URL": ProcessInfo.processInfo.environment["REDIS_URL"] ?? "",
            "REDIS_KEY_PREFIX": prefix,
            "REDIS_LEASE_TIMEOUT": "2",
            "LOG_FORMAT": "json",
            "LOCALES_DIR": ForwardWorld.repository.appendingPathComponent("locales").path,
        ]
    }

    @Test("two instances share Redis; the one calling the backend is killed; the update is answered once, by its idempotency key")
    func killedMidCall() async throws {
        // A backend that keeps its answer per Idempotency-Key: a call repeated after a crash
        // gets the first answer and does nothing again. The first call takes long enough to
        // kill the instance that made it.
        let handled = Mutex<[String: Int]>([:])
        let repeats = Atomic(0)
        try await TestBackend.with(respond: { call, index in
            let key = call.header("Idempotency-Key") ?? ""
            let first = handled.withLock { table -> Bool in
                table[key, default: 0] += 1
                return table[key] == 1
            }
            if !first {
                repeats.add(1, ordering: .relaxed)
            } else if index == 0 {
                try? await Task.sleep(for: .seconds(6))
            }
            return call.reply("done: \(call.text ?? "")")
        }) { backend, url in
            let telegram = FakeTelegram()
            try await telegram.start()
            let prefix = "fwdkill-" + UUID().uuidString.prefix(8).lowercased()
            let file = try Self.configFile("""
                [{"name": "shop", "kind": "forward", "token": "\(telegram.configuration.token)", "secret": "\(ForwardWorld.webhookSecret)",
                  "webhook_path": "/webhook/shop", "url": "\(url)", "signing_secret": "\(TestBot.secret)", "timeout": 20}]
                """)
            var environment = try Self.environment(telegram: telegram, botsFile: file, prefix: prefix)
            // A lease far longer than the test: only the heartbeat can explain a takeover in seconds.
            environment["REDIS_LEASE_TIMEOUT"] = "30"
            let first = try GatewayProcess(number: 1, environment: environment)
            let second = try GatewayProcess(number: 2, environment: environment)
            do {
                let port = try await first.listeningPort()
                _ = try await second.listeningPort()
                try await FaultProcessTests.pointWebhook(telegram, at: port)

                let user = telegram.privateUser(id: 9801, firstName: "U", languageCode: "en")
                let update = user.send("once")
                try await waitUntil("the backend to get the call") { !backend.calls.isEmpty }
                try await first.kill()
                let killed = ContinuousClock.now

                let answered = try await eventually("the answer", timeout: .seconds(30)) {
                    telegram.botEvents(inChat: user.chat.id).first?.message.text
                }
                #expect(answered == "done: once")
                let recovery = ContinuousClock.now - killed
                print("kill -9 of the instance mid-call: answered by the other after \(recovery) (heartbeat 1 s, lease 30 s)")
                #expect(recovery < .seconds(5), "taken over within ~3 s by heartbeat, not after the 30 s lease")
                // Time for a second answer to show up, were one coming.
                try await Task.sleep(for: .seconds(3))
                #expect(telegram.botEvents(inChat: user.chat.id).count == 1, "answered once")
                #expect(backend.calls.count >= 2, "the surviving instance called again after taking the conversation over")
                #expect(Set(backend.calls.compactMap { $0.header("Idempotency-Key") }) == ["shop:\(update.updateID)"])
                #expect(handled.withLock { $0.count } == 1, "the backend handled the update once")
                #expect(repeats.load(ordering: .relaxed) >= 1)
            } catch {
                Issue.record("\(first.report())\n\(second.report())")
                await second.stop(grace: .seconds(5))
                await telegram.shutdown()
                try? FileManager.default.removeItem(atPath: file)
                throw error
            }
            await second.stop(grace: .seconds(5))
            await telegram.shutdown()
            try? FileManager.default.removeItem(atPath: file)
        }
    }

    @Test("an unknown kind and a bad forward entry stop the start: one line each naming the bot and the field, exit 1")
    func badConfiguration() async throws {
        let file = try Self.configFile("""
            [{"name": "odd", "kind": "teleport", "token": "111:aaa", "secret": "s1"},
             {"name": "shop", "kind": "forward", "token": "222:bbb", "secret": "s2", "signing_secret": "short", "colour": "red"},
             {"name": "typed", "kind": "forward", "token": "333:ccc", "secret": "s3", "url": 5, "signing_secret": "\(TestBot.secret)", "attempts": 2.5}]
            """)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let child = try GatewayProcess(number: 1, environment: [
            "BOTS_CONFIG_FILE": file, "GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": "0", "ADMIN_PORT": "0", "TELEGRAM_API_URL": "http://127.0.0.1:1",
        ])
        try await waitUntil("bot-gateway to exit", timeout: .seconds(30)) { !child.isRunning }
        #expect(child.terminationStatus == 1)
        let errors = child.errors.text
        #expect(errors.contains(#"BOTS_CONFIG_FILE[odd].kind: unknown kind "teleport"; this gateway serves forward, uk"#), "\(errors)")
        #expect(errors.contains("BOTS_CONFIG_FILE[shop].colour: not a setting of kind forward"), "\(errors)")
        #expect(errors.contains("BOTS_CONFIG_FILE[shop].url: required"), "\(errors)")
        #expect(errors.contains("BOTS_CONFIG_FILE[shop].signing_secret: must be at least 32 bytes (got 5)"), "\(errors)")
        #expect(errors.contains("BOTS_CONFIG_FILE[typed].url: expected a string"), "\(errors)")
        #expect(errors.contains("BOTS_CONFIG_FILE[typed].attempts: expected tries per update: a whole number from 1 to 100"), "\(errors)")
        #expect(!errors.contains("BOTS_CONFIG_FILE[typed].url: required"), "a field of the wrong type is reported once")
        #expect(!errors.contains("short"), "the secret is never quoted")
        #expect(!errors.contains("SERVICE_URL"), "a forward bot needs no named service")
        #expect(!child.output.text.contains("gateway listening"))
    }
}
