import Foundation
import GatewayTestSupport
import Testing

/// Runs the real `bot-gateway sandbox` with a scripted person on its stdin.
@Suite("bot-gateway sandbox")
struct SandboxCommandTests {
    private static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bot-gateway").path
    }

    @Test(.timeLimit(.minutes(2)))
    func aPersonFilesARequestByTypingLabelsAndNumbers() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build bot-gateway first: swift build")
        let script = """
            /start
            Create request
            1
            Water is leaking under the kitchen sink
            Block 4, apartment 12
            skip
            Confirm
            :quit

            """
        let output = try await Curl.runProcess(Self.executable, ["sandbox", "--name", "Ann", "--port", "0"], input: Data(script.utf8))
        #expect(output.status == 0, "stderr: \(output.standardError)")
        let text = output.standardOutput
        for expected in [
            "Chat page: http://127.0.0.1:", "bot › Hello, Ann!", "[1 Create request]", "Choose a category:", "Describe the problem",
            "Enter the address", "Send a photo of the problem", "Category: Plumbing", "Request R-",
        ] {
            #expect(text.contains(expected), "no \"\(expected)\" in:\n\(text)")
        }
    }

    /// The binary copied alone into an empty folder and started from another one, with no
    /// variables: the catalogs and the page are inside it.
    @Test(.timeLimit(.minutes(2)))
    func theBinaryCopiedAloneAnswersStart() async throws {
        let lone = try LoneBinary.make()
        defer { lone.remove() }
        let output = try await ExternalCommand.output(
            lone.executable, ["sandbox", "--port", "0"], environment: [:], input: Data("/start\n:quit\n".utf8), currentDirectory: lone.elsewhere)
        #expect(output.status == 0, "\(output.standardError)")
        #expect(output.standardOutput.contains("bot › Hello, Alex!"), "\(output.standardOutput)")
    }

    /// `--no-console`: the page alone, from the executable's own files, until SIGTERM.
    @Test(.timeLimit(.minutes(2)))
    func thePageAloneRunsUntilStopped() async throws {
        let child = try GatewayProcess(number: 1, environment: ProcessInfo.processInfo.environment, arguments: ["sandbox", "--no-console", "--port", "0"])
        let line = try await eventually("the page's address", timeout: .seconds(60)) {
            child.output.lines.first { $0.hasPrefix("Chat page: ") }
        }
        let url = String(line.dropFirst("Chat page: ".count))
        let page = try await ExternalCommand.output("/usr/bin/curl", ["-s", "-i", url])
        #expect(page.standardOutput.hasPrefix("HTTP/1.1 200"), "\(page.standardOutput)")
        #expect(page.standardOutput.contains("Bot Gateway sandbox"))
        await child.stop()
        #expect(child.terminationStatus == 0, "\(child.report())")
    }
}
