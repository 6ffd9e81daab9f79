import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One `bot-gateway serve` child process, configured only by its environment:
/// started from the build folder, its output captured, stopped by its PID.
///
/// `@unchecked Sendable`: `Process` is only asked thread-safe questions
/// (its PID, whether it runs, its status) after `run()`.
public final class GatewayProcess: @unchecked Sendable {
    /// Tells several children of one test apart in reports.
    public let number: Int
    public let output: CapturedOutput
    public let errors: CapturedOutput
    private let process: Process

    /// The executable next to the test bundle (both are in the build's bin folder).
    public static var executable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bot-gateway").path
    }

    /// Starts `bot-gateway serve` (or `arguments`) with exactly `environment`.
    public init(number: Int, environment: [String: String], arguments: [String] = ["serve"]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw HarnessError("no bot-gateway next to the test bundle at \(Self.executable): build it first (swift build)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        self.number = number
        self.output = CapturedOutput(stdout.fileHandleForReading)
        self.errors = CapturedOutput(stderr.fileHandleForReading)
        self.process = process
        try process.run()
    }

    /// Runs a short command (`dead-letters list`) to its end: its status and outputs.
    public static func command(_ arguments: [String], environment: [String: String], timeout: Duration = .seconds(30)) async throws
        -> (status: Int32, output: String, errors: String)
    {
        let child = try GatewayProcess(number: 0, environment: environment, arguments: arguments)
        try await child.waitForExit(timeout: timeout)
        // The pipes may still hold the last bytes when the process is reaped.
        try await Task.sleep(for: .milliseconds(100))
        return (child.terminationStatus, child.output.text, child.errors.text)
    }

    public var pid: Int32 { self.process.processIdentifier }
    public var isRunning: Bool { self.process.isRunning }
    /// The exit status, once the process has exited.
    public var terminationStatus: Int32 { self.process.terminationStatus }

    /// The log lines so far, parsed; lines that are not JSON are left out.
    public var logs: [LogLine] {
        self.output.lines.compactMap(LogLine.init)
    }

    /// Waits for the `gateway listening` line and returns the port it names.
    public func listeningPort(timeout: Duration = .seconds(60)) async throws -> Int {
        try await self.port(announcedBy: "gateway listening", timeout: timeout)
    }

    /// Waits for the `admin listening` line and returns the port it names.
    public func adminPort(timeout: Duration = .seconds(60)) async throws -> Int {
        try await self.port(announcedBy: "admin listening", timeout: timeout)
    }

    private func port(announcedBy message: String, timeout: Duration) async throws -> Int {
        let line = try await eventually("bot-gateway #\(self.number) to log \(message)", timeout: timeout) { () -> LogLine? in
            guard self.isRunning else {
                throw HarnessError("bot-gateway #\(self.number) exited with status \(self.process.terminationStatus) before \(message): \(self.errors.text)")
            }
            return self.logs.first { $0.message == message }
        }
        guard let port = line.metadata["port"].flatMap(Int.init) else {
            throw HarnessError("no port in the \(message) line: \(line)")
        }
        return port
    }

    /// `kill -9`: no graceful shutdown, nothing finished, nothing released.
    public func kill() async throws {
        _ = Glibc.kill(self.pid, SIGKILL)
        try await self.waitForExit(timeout: .seconds(10))
    }

    /// SIGTERM, then SIGKILL if the graceful shutdown takes longer than `grace`.
    public func stop(grace: Duration = .seconds(10)) async {
        guard self.isRunning else { return }
        _ = Glibc.kill(self.pid, SIGTERM)
        do {
            try await self.waitForExit(timeout: grace)
        } catch {
            try? await self.kill()
        }
    }

    private func waitForExit(timeout: Duration) async throws {
        _ = try await eventually("bot-gateway #\(self.number) to exit", timeout: timeout) { self.isRunning ? nil : true }
    }

    /// The last lines of both outputs, for a failure report.
    public func report(lastLines: Int = 200) -> String {
        let lines = self.output.lines
        let shown = lines.suffix(lastLines).joined(separator: "\n")
        let skipped = lines.count > lastLines ? " (last \(lastLines) of \(lines.count) lines)" : ""
        let status = self.isRunning ? "running" : "exited \(self.process.terminationStatus)"
        return """
            --- bot-gateway serve #\(self.number), pid \(self.pid), \(status): stdout\(skipped)
            \(shown)
            --- bot-gateway serve #\(self.number): stderr
            \(self.errors.text)
            """
    }
}

extension GatewayProcess {
    /// Writes a `BOTS_CONFIG_FILE` of one `forward` bot whose backend is
    /// unreachable (port 1): enough for a process whose test is its
    /// listeners, not its deliveries. Returns the file's path.
    public static func writeForwardBotFile(name: String, token: String, secret: String, inDirectory directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/bots.json"
        try """
            [{"name": "\(name)", "kind": "forward", "token": "\(token)", "secret": "\(secret)",
              "webhook_path": "/webhook/\(name)", "url": "http://127.0.0.1:1/updates", "signing_secret": "\(String(repeating: "k", count: 40))"}]
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
