import ConversationBots
import CurlHTTP
import Foundation
import Gateway
import GatewayTestSupport
import Localization
import Logging
import Prometheus
import Sandbox
import TelegramBotAPI
import TelegramEmulator
import Testing
import UKManagementBot

/// The sandbox in process, its page on a free port.
enum SandboxHarness {
    static func run(
        _ options: SandboxOptions = SandboxOptions(port: 0, pageRequired: true),
        _ body: @escaping @Sendable (SandboxWorld, String) async throws -> Void
    ) async throws {
        try await SandboxRuntime.run(
            options, kinds: BotKinds([UKBotKind()]), catalogs: try repositoryCatalogs(), flows: UKBot.flows.flows + ConversationBot.builtInFlows,
            registry: PrometheusCollectorRegistry(), logger: Logger(label: "sandbox-test")
        ) { world, url in
            guard let url else { throw HarnessError("the chat page did not listen") }
            try await body(world, url)
        }
    }

    /// The repository's `locales/`.
    static func repositoryCatalogs() throws -> Catalogs {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try Catalogs.load(directory: repository.appendingPathComponent("locales"))
    }

    /// Calls the page's API as the page does (same origin, JSON).
    static func call(
        _ method: HTTPRequest.Method, _ url: String, json: String? = nil, contentType: String? = "application/json",
        headers: [HTTPHeader] = [], body: [UInt8]? = nil
    ) async throws -> HTTPResponse {
        let client = try HTTPClient()
        var all = headers
        if let contentType, json != nil || body != nil { all.append(HTTPHeader(name: "Content-Type", value: contentType)) }
        let payload = body ?? json.map { Array($0.utf8) }
        let request = HTTPRequest(method: method, url: url, headers: all, body: payload.map(HTTPRequest.Body.bytes) ?? .none)
        do {
            let response = try await client.execute(request)
            await client.shutdown()
            return response
        } catch {
            await client.shutdown()
            throw error
        }
    }

    static func json(_ response: HTTPResponse) throws -> JSONValue {
        try JSONValue(parsing: response.body)
    }
}

@Suite("Sandbox: the chat page")
struct SandboxPageTests {
    /// Headless Chromium from Debian, driven by Selenium (`Tests/SandboxTests/browser/`): the UK
    /// happy path, a second person in Russian, the request service failing and recovering, the
    /// inspector's step, hostile text, two tabs, a photo; no error in the browser's console.
    @Test(.timeLimit(.minutes(4)))
    func aPersonUsesTheChatPageInARealBrowser() async throws {
        let environment = ProcessInfo.processInfo.environment
        let python = environment["SANDBOX_BROWSER_PYTHON"] ?? Self.onPath("python3")
        let chromium = environment["CHROMIUM_BIN"] ?? "/usr/bin/chromium"
        let driver = environment["CHROMEDRIVER_BIN"] ?? "/usr/bin/chromedriver"
        for program in [python, chromium, driver] where !FileManager.default.isExecutableFile(atPath: program) {
            throw HarnessError("\(program) is missing: run ./scripts/test.sh, which installs chromium, chromium-driver and selenium")
        }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = repository.appendingPathComponent("Tests/SandboxTests/browser/sandbox_page_test.py").path
        let artifacts = repository.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("sandbox-page.png").path
        let midway = artifacts.appendingPathComponent("sandbox-page-confirm.png").path

        try await SandboxHarness.run { _, url in
            let output = try await ExternalCommand.output(python, [
                script, "--url", url, "--screenshot", screenshot, "--screenshot-mid", midway, "--chromium", chromium, "--driver", driver,
            ])
            print("sandbox page test: \(output.standardOutput)\(output.standardError)screenshot: \(screenshot)")
            #expect(output.status == 0, "the browser test failed:\n\(output.standardError.suffix(6000))")
        }
        #expect(FileManager.default.fileExists(atPath: screenshot))
    }

    /// The first `name` on `PATH`, as a shell would find it.
    static func onPath(_ name: String) -> String {
        let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
        return folders.map { "\($0)/\(name)" }.first(where: FileManager.default.isExecutableFile(atPath:)) ?? "/usr/bin/\(name)"
    }

    @Test(.timeLimit(.minutes(2)))
    func thePageAndItsFilesComeFromTheExecutableWithAStrictPolicy() async throws {
        try await SandboxHarness.run { _, url in
            let page = try await SandboxHarness.call(.get, url)
            #expect(page.status == 200)
            #expect(page.headers.value(for: "Content-Type")?.hasPrefix("text/html") == true)
            let policy = page.headers.value(for: "Content-Security-Policy") ?? ""
            #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"), "policy: \(policy)")
            #expect(page.headers.value(for: "X-Content-Type-Options") == "nosniff")
            let html = String(decoding: page.body, as: UTF8.self)
            #expect(html.contains("/sandbox.js") && !html.contains("http://") && !html.contains("https://"), "the page loads something from elsewhere")
            for file in ["sandbox.js", "sandbox.css", "favicon.svg"] {
                #expect(try await SandboxHarness.call(.get, url + file).status == 200, "\(file)")
            }
            #expect(try await SandboxHarness.call(.get, url + "nothing-here").status == 404)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func theAPIDrivesTheBotAndShowsWhatHappened() async throws {
        try await SandboxHarness.run { world, url in
            let alex = world.people[0]
            let sent = try await SandboxHarness.call(.post, url + "api/send", json: #"{"person": \#(alex.id), "place": "private", "text": "/start"}"#)
            #expect(sent.status == 202)
            let chat = try await eventually("the bot's greeting", timeout: .seconds(10)) { () -> JSONValue? in
                let chat = try SandboxHarness.json(try await SandboxHarness.call(.get, url + "api/chat?person=\(alex.id)&place=private"))
                guard case .array(let messages) = chat["messages"], messages.contains(where: { $0["from_bot"] == .bool(true) }) else { return nil }
                return chat
            }
            guard case .array(let messages) = chat["messages"] else { throw HarnessError("no messages") }
            #expect(messages.first?["text"]?.stringValue == "/start")
            let greeting = messages.first { $0["from_bot"] == .bool(true) }
            #expect(greeting?["text"]?.stringValue?.hasPrefix("Hello, Alex!") == true)
            #expect(greeting?["reply_markup"]?["inline_keyboard"] != nil, "the menu's buttons travel as the Bot API's inline_keyboard")
            guard case .array(let commands) = chat["commands"] else { throw HarnessError("no command menu") }
            #expect(commands.contains { $0["command"]?.stringValue == "start" }, "the / picker lists setMyCommands' list: \(commands)")

            let messageID = try #require(greeting?["message_id"]?.intValue)
            let pressed = try await SandboxHarness.call(
                .post, url + "api/press", json: #"{"person": \#(alex.id), "place": "private", "message_id": \#(messageID), "label": "Create request"}"#)
            #expect(pressed.status == 202)
            let inspector = try await eventually("the conversation in the inspector", timeout: .seconds(10)) { () -> JSONValue? in
                let inspector = try SandboxHarness.json(try await SandboxHarness.call(.get, url + "api/inspector?person=\(alex.id)&place=private"))
                return inspector["state"]?["step"] == nil ? nil : inspector
            }
            #expect(inspector["conversation_key"]?.stringValue == String(alex.id))
            let step = try #require(inspector["state"]?["step"]?.stringValue)
            guard case .array(let steps) = inspector["state"]?["steps"] else { throw HarnessError("no steps listed") }
            #expect(steps.contains(.string(step)), "the current step \(step) is one of the flow's \(steps)")
            guard case .array(let calls) = inspector["bot_api"], case .array(let services) = inspector["downstream"],
                case .array(let updates) = inspector["updates"]
            else { throw HarnessError("the inspector lacks its lists") }
            #expect(calls.contains { $0["method"]?.stringValue == "sendMessage" })
            #expect(calls.contains { $0["method"]?.stringValue == "answerCallbackQuery" })
            #expect(services.contains { $0["service"]?.stringValue == "auth" && $0["status"]?.intValue == 200 })
            #expect(updates.count == 2 && updates.first?["callback_query"] != nil, "newest first: \(updates)")

            // A second person in the group: a conversation of their own there, and /cmd@bot.
            let added = try await SandboxHarness.call(.post, url + "api/people", json: #"{"name": "Olga", "language": "ru", "roles": ["applicant", "executor"]}"#)
            #expect(added.status == 201)
            let olga = try #require(try SandboxHarness.json(added)["id"]?.intValue)
            let username = world.telegram.configuration.botUsername
            #expect(try await SandboxHarness.call(.post, url + "api/send", json: #"{"person": \#(olga), "place": "group", "text": "/start@\#(username)"}"#).status == 202)
            let groupChat = try await eventually("the bot's answer in the group", timeout: .seconds(10)) { () -> JSONValue? in
                let chat = try SandboxHarness.json(try await SandboxHarness.call(.get, url + "api/chat?person=\(olga)&place=group"))
                guard case .array(let messages) = chat["messages"], messages.contains(where: { $0["from_bot"] == .bool(true) }) else { return nil }
                return chat
            }
            guard case .array(let groupMessages) = groupChat["messages"] else { throw HarnessError("no group messages") }
            #expect(groupMessages.contains { $0["from_bot"] == .bool(true) && ($0["text"]?.stringValue ?? "").contains("Здравствуйте") })
            let olgaInGroup = try SandboxHarness.json(try await SandboxHarness.call(.get, url + "api/inspector?person=\(olga)&place=group"))
            #expect(olgaInGroup["conversation_key"]?.stringValue == "\(SandboxWorld.groupID):\(olga)")
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func badRequestsGetAClearErrorAndChangeNothing() async throws {
        try await SandboxHarness.run { world, url in
            let alex = world.people[0].id
            let plain = try await SandboxHarness.call(.post, url + "api/send", json: #"{"person": \#(alex), "text": "hi"}"#, contentType: "text/plain")
            #expect(plain.status == 400, "a body that is not declared JSON, as a form on another site sends it")
            let cases: [(String, HTTPRequest.Method, String, String?, [HTTPHeader], Int)] = [
                ("not an object", .post, "api/send", "[1, 2]", [], 400),
                ("unknown person", .post, "api/send", #"{"person": 42, "text": "hi"}"#, [], 404),
                ("unknown place", .post, "api/send", #"{"person": \#(alex), "place": "channel", "text": "hi"}"#, [], 400),
                ("empty text", .post, "api/send", #"{"person": \#(alex), "text": "   "}"#, [], 400),
                ("another site's page", .post, "api/send", #"{"person": \#(alex), "text": "hi"}"#, [HTTPHeader(name: "Sec-Fetch-Site", value: "cross-site")], 403),
                ("another origin", .post, "api/send", #"{"person": \#(alex), "text": "hi"}"#, [HTTPHeader(name: "Origin", value: "http://evil.example")], 403),
                ("a stale button", .post, "api/press", #"{"person": \#(alex), "message_id": 999, "label": "Confirm"}"#, [], 404),
                ("unknown role", .post, "api/people", #"{"name": "Eve", "roles": ["root"]}"#, [], 400),
                ("name too long", .post, "api/people", #"{"name": "\#(String(repeating: "a", count: 65))"}"#, [], 400),
                ("unknown mode", .put, "api/services/request", #"{"mode": "on-fire"}"#, [], 400),
                ("unknown service", .put, "api/services/billing", #"{"mode": "failing"}"#, [], 404),
                ("location off the map", .post, "api/location", #"{"person": \#(alex), "latitude": 91, "longitude": 0}"#, [], 400),
                ("huge person id", .get, "api/chat?person=99999999999999999999999", nil, [], 400),
            ]
            for (name, method, path, json, headers, status) in cases {
                let response = try await SandboxHarness.call(method, url + path, json: json, headers: headers)
                #expect(response.status == status, "\(name): \(response.status) \(String(decoding: response.body, as: UTF8.self))")
                if response.status >= 400 {
                    #expect(try SandboxHarness.json(response)["error"]?["message"]?.stringValue?.isEmpty == false, "\(name): an error names the problem")
                }
            }
            let tooBig = try await SandboxHarness.call(
                .post, url + "api/photo?person=\(alex)", contentType: "image/png", body: [UInt8](repeating: 0x89, count: SandboxWorld.maximumPhotoBytes + 1))
            #expect(tooBig.status == 413)
            let notAnImage = try await SandboxHarness.call(.post, url + "api/photo?person=\(alex)", contentType: "text/html", body: Array("<script>".utf8))
            #expect(notAnImage.status == 400)
            #expect(world.telegram.pendingUpdates.isEmpty && world.telegram.messages(inChat: alex).isEmpty, "nothing was sent")
            #expect(world.people.count == 1)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func everyOpenPageHearsOfEachChange() async throws {
        try await SandboxHarness.run { world, url in
            // Two tabs listening; a message sent while they listen reaches both.
            async let first = ExternalCommand.output("/usr/bin/curl", ["-sN", "--max-time", "4", url + "api/events"])
            async let second = ExternalCommand.output("/usr/bin/curl", ["-sN", "--max-time", "4", url + "api/events"])
            try await Task.sleep(for: .seconds(1.5))
            let before = world.telegram.messages(inChat: world.people[0].id).count
            try world.send("/start", from: world.people[0].id, in: .private)
            for output in [try await first.standardOutput, try await second.standardOutput] {
                let versions = output.split(separator: "\n").filter { $0.hasPrefix("data: ") }.compactMap { Int($0.dropFirst(6)) }
                #expect(versions.count >= 2 && versions == versions.sorted(), "the version at once, then later ones: \(output)")
            }
            #expect(world.telegram.messages(inChat: world.people[0].id).count > before)
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aBusyPortLeavesTheTerminalChatWorking() async throws {
        let occupant = FakeTelegram()
        let busy = try await occupant.start()
        let catalogs = try SandboxHarness.repositoryCatalogs()
        let answered = Locked(false)
        try await SandboxRuntime.run(
            SandboxOptions(port: busy, pageRequired: false), kinds: BotKinds([UKBotKind()]), catalogs: catalogs, flows: UKBot.flows.flows,
            registry: PrometheusCollectorRegistry(), logger: Logger(label: "sandbox-test")
        ) { world, url in
            #expect(url == nil, "the page cannot listen on a busy port")
            let alex = world.people[0]
            let seen = world.telegram.lastSequence(inChat: alex.id)
            try world.send("/start", from: alex.id, in: .private)
            _ = try await world.telegram.waitForBotMessage(chat: alex.id, after: seen, timeout: .seconds(10))
            answered.withLock { $0 = true }
        }
        await occupant.shutdown()
        #expect(answered.withLock { $0 }, "the bot answered without the page")
    }

    @Test(.timeLimit(.minutes(2)))
    func aBusyPortIsAnErrorWhenThePageIsRequired() async throws {
        let occupant = FakeTelegram()
        let busy = try await occupant.start()
        await #expect(throws: SandboxError.self) {
            try await SandboxHarness.run(SandboxOptions(port: busy, pageRequired: true)) { _, _ in
                Issue.record("the page cannot have listened on a busy port")
            }
        }
        await occupant.shutdown()
    }
}
