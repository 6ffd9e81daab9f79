import Foundation
import GatewayTestSupport
import Testing

/// Runs `bench flow` for a couple of seconds with two users, only to check
/// that the command works end to end (it spawns `bot-gateway serve` against
/// the test command's Redis) and prints its table. Benchmarks are not tests:
/// the numbers of a debug build are not looked at.
@Suite("bench flow")
struct BenchFlowSmokeTests {
    /// The executables next to the test bundle (all are in the build's bin folder).
    private static func executable(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path
    }

    /// The package's folder, for `locales/`.
    private static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    @Test("bench flow --users 2 --seconds 4 prints its table")
    func smoke() async throws {
        let environment = ProcessInfo.processInfo.environment
        let redisURL = try #require(environment["REDIS_URL"], "REDIS_URL is not set: run ./scripts/test.sh")
        for name in ["bench", "bot-gateway"] {
            try #require(FileManager.default.isExecutableFile(atPath: Self.executable(name)), "build \(name) first: swift build")
        }
        // The null route needs wrk, which only scripts/bench.sh installs; without it that part is skipped.
        let hasWrk = FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable("bench"))
        process.arguments = [
            "flow", "--users", "2", "--seconds", "4", "--warmup", "2", "--probe-seconds", "0.5",
            "--null-seconds", hasWrk ? "1" : "0", "--root", Self.root, "--gateway", Self.executable("bot-gateway"),
        ]
        // PostgreSQL is left out: the smoke run needs only Redis, and leaves the tests' database alone.
        process.environment = ["REDIS_URL": redisURL, "PATH": environment["PATH"] ?? "/usr/bin:/bin"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let captured = CapturedOutput(output.fileHandleForReading)
        try process.run()
        let deadline = ContinuousClock.now + .seconds(120)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.terminate()
        }
        let text = captured.finish()
        #expect(process.terminationStatus == 0, "bench flow: \(text)")
        #expect(text.contains("| updates/s through the gateway"), "\(text)")
        #expect(text.contains("| latency update sent → reply seen"), "\(text)")
        #expect(text.contains("| gateway peak RSS"), "\(text)")
        #expect(text.contains("| start-up: spawn → /ready 200"), "\(text)")
        if hasWrk {
            #expect(text.contains("gateway / null route"), "\(text)")
        }
        // Two users finish several happy-path steps in two seconds, even in a debug build.
        let updates = text.split(separator: "\n").first { $0.contains("| updates measured") }
        let count = updates.flatMap { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.last { !$0.isEmpty } }
            .flatMap { Int($0.trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") }
        #expect((count ?? 0) > 0, "\(text)")
    }
}
