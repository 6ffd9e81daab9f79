import Foundation
import GatewayTestSupport
@testable import RedisClient
import Testing
import UKServiceFakes
#if canImport(Glibc)
import Glibc
#endif

/// Every key the gateway writes, read from `MONITOR` while it runs the UK
/// happy path, admin commands and the operator API: each command's keys and
/// each script's keys (those it declares and those it touches inside Redis)
/// in one cluster slot, so the same run works on a Redis Cluster.
@Suite("Keyspace audit: one slot per command and per script", .serialized, BotWorld.logsOnFailure, .timeLimit(.minutes(3)))
struct KeyspaceAuditTests {
    static let admin = ServiceUser(id: "u-audit-admin", telegramID: 7901, fullName: "Audit Admin", roles: ["admin"])

    @Test("the happy path, /status, /settings, /language and the operator API touch keys one slot at a time")
    func everyCommandAndScriptInOneSlot() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["REDIS_URL"], "run ./scripts/test.sh")
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("monitor-\(UUID().uuidString).txt")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let monitor = Process()
        monitor.executableURL = URL(fileURLWithPath: ProcessInfo.processInfo.environment["REDIS_CLI_BIN"] ?? "/usr/bin/redis-cli")
        monitor.arguments = ["-u", url, "monitor"]
        monitor.standardOutput = try FileHandle(forWritingTo: log)
        monitor.standardError = FileHandle.nullDevice
        try monitor.run()
        defer {
            kill(monitor.processIdentifier, SIGKILL)
            monitor.waitUntilExit()
        }
        var options = BotWorld.Options(environment: OperatorClient.environment, users: [Self.admin])
        options.environment["INSTANCE_ID"] = "audit"
        var prefix = ""
        try await BotWorld.run(options) { world in
            prefix = world.keys.prefix
            let resident = world.privateUser(id: 7902, firstName: "Aziz")
            _ = try await CrashRecoveryTests.fileARequest(resident, world: world)
            try await resident.command("language")
            let admin = world.privateUser(id: 7901, firstName: "Olga", languageCode: "ru")
            try await admin.command("status")
            try await admin.command("settings")
            try await admin.press(admin.text("button.settings.maintenance"))
            let api = try await OperatorClient(world: world)
            let sent = try await api.send(#"{"telegram_user_id": 7902, "text": "Water is back."}"#, headers: [.init(name: "Idempotency-Key", value: "audit-1")])
            _ = try await api.settled(try #require(sent.json["id"] as? String))
            let at = OperatorAPITests.rfc3339(Date().addingTimeInterval(2))
            let scheduled = try await api.call(.post, "/api/v1/messages/schedule", json: #"{"telegram_user_id": 7902, "text": "Later.", "at": "\#(at)"}"#)
            let id = try #require(scheduled.json["id"] as? String)
            try await waitUntil("the schedule fired") {
                try await api.call(.get, "/api/v1/schedules/\(id)").json["status"] as? String == "finished"
            }
            _ = try await api.call(.get, "/api/v1/bots/status")
        }
        // MONITOR writes asynchronously; give it the last lines.
        try await Task.sleep(for: .milliseconds(300))
        let events = String(decoding: try Data(contentsOf: log), as: UTF8.self).split(separator: "\n").compactMap(MonitorEvent.init)
        #expect(events.count > 100, "MONITOR saw the run")

        var written = Set<String>()
        var problems: [String] = []
        var script: (name: String, slot: Int?)?
        for event in events {
            let keys = CommandKeys.of(event.arguments).map(\.displayText)
            guard event.fromScript || keys.contains(where: { $0.contains(prefix) }) else {
                if !event.fromScript { script = nil }
                continue
            }
            let slots = Set(keys.map { HashSlot.of($0) })
            if event.fromScript {
                guard let running = script else { continue }
                guard keys.contains(where: { $0.contains(prefix) }) else { continue }
                if let slot = slots.first, slots.count > 1 || running.slot != slot {
                    problems.append("\(running.name) touches \(keys) outside its declared keys' slot")
                }
            } else {
                if slots.count > 1 { problems.append("\(event.arguments.first?.displayText ?? "?") spans slots: \(keys)") }
                let name = event.arguments.first?.uppercasedName ?? ""
                script = name.hasPrefix("EVAL") ? (name + " " + (event.arguments.dropFirst().first?.displayText.prefix(8) ?? ""), slots.first) : nil
            }
            for key in keys where key.contains(prefix) {
                if !key.hasPrefix("{") { problems.append("\(key) has no hash tag") }
                written.insert(Self.pattern(of: key, prefix: prefix))
            }
        }
        print("keys the gateway used (\(written.count) patterns):\n" + written.sorted().joined(separator: "\n"))
        #expect(problems.isEmpty, "\(problems.prefix(20))")
        #expect(written.contains("{p:auth:<n>}"), "the auth cache is under the user's own tag")
        #expect(written.contains { $0.hasSuffix(":q") } && written.contains { $0.contains(":api:") || $0.contains(":sched") }, "\(written.sorted())")
    }

    /// A key with the test's prefix as `p` and numbers as `<n>`.
    static func pattern(of key: String, prefix: String) -> String {
        let generic = key.replacingOccurrences(of: prefix, with: "p")
        var result = ""
        var inNumber = false
        for character in generic {
            if character.isASCII && character.isNumber {
                if !inNumber { result += "<n>" }
                inNumber = true
            } else {
                result.append(character)
                inNumber = false
            }
        }
        return result
    }
}

/// One line of `MONITOR`: `1700000000.123456 [0 127.0.0.1:5555] "SET" "k" "v"`,
/// or `[0 lua]` for a command a script ran.
struct MonitorEvent {
    let fromScript: Bool
    let arguments: [RedisArgument]

    init?(_ line: Substring) {
        guard let open = line.firstIndex(of: "["), let close = line[open...].firstIndex(of: "]") else { return nil }
        fromScript = line[open..<close].hasSuffix(" lua")
        var arguments: [RedisArgument] = []
        var bytes: [UInt8] = []
        var quoted = false
        var iterator = Array(line[line.index(after: close)...].utf8).makeIterator()
        while let byte = iterator.next() {
            if !quoted {
                if byte == UInt8(ascii: "\"") { quoted = true }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                arguments.append(.bytes(bytes))
                bytes = []
                quoted = false
            case UInt8(ascii: "\\"):
                guard let escaped = iterator.next() else { return nil }
                switch escaped {
                case UInt8(ascii: "n"): bytes.append(10)
                case UInt8(ascii: "r"): bytes.append(13)
                case UInt8(ascii: "t"): bytes.append(9)
                case UInt8(ascii: "x"):
                    guard let high = iterator.next(), let low = iterator.next(),
                        let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                    else { return nil }
                    bytes.append(value)
                default: bytes.append(escaped)
                }
            default:
                bytes.append(byte)
            }
        }
        guard !arguments.isEmpty else { return nil }
        self.arguments = arguments
    }
}
