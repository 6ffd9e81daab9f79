import Foundation
import Testing

/// Runs the real `bot-gateway flows`.
@Suite("bot-gateway flows")
struct FlowsCommandTests {
    private static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bot-gateway").path
    }

    @Test func mermaidPrintsOneStateDiagramPerFlowWithItsSteps() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable), "build bot-gateway first: swift build")
        let output = try await Curl.runProcess(Self.executable, ["flows", "--mermaid"], environment: [:])
        #expect(output.status == 0, "\(output.standardError)")
        let text = output.standardOutput
        #expect(text.components(separatedBy: "stateDiagram-v2").count - 1 == 5)
        for step in ["category", "description", "address", "photo", "confirm", "period", "language", "number", "shift"] {
            #expect(text.contains(step), "no step \(step) in:\n\(text)")
        }
        #expect(text.contains("[*] --> category"))
    }
}
