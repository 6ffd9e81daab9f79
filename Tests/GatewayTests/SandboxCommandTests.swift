import Foundation
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
        let output = try await Curl.runProcess(Self.executable, ["sandbox", "--name", "Ann"], input: Data(script.utf8))
        #expect(output.status == 0, "stderr: \(output.standardError)")
        let text = output.standardOutput
        for expected in [
            "bot › Hello, Ann!", "[1 Create request]", "Choose a category:", "Describe the problem",
            "Enter the address", "Send a photo of the problem", "Category: Plumbing", "Request R-",
        ] {
            #expect(text.contains(expected), "no \"\(expected)\" in:\n\(text)")
        }
    }
}
