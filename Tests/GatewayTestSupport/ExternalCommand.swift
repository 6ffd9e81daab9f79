public import Foundation

/// Runs a program a test needs (`curl`, `openssl`, `redis-cli`, the
/// gateway's own commands), waiting for it without blocking a thread of the
/// cooperative pool, which servers under test need to answer.
public enum ExternalCommand {
    /// How a program ended and what it wrote.
    public struct Output: Sendable {
        public var status: Int32
        public var standardOutput: String
        public var standardError: String
    }

    /// Runs `executable arguments` to completion. `environment` replaces the
    /// inherited one when given; `input` is written to its standard input,
    /// which is then closed; `currentDirectory` is where it starts (default: here).
    public static func output(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: Data? = nil,
        currentDirectory: String? = nil
    ) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory, isDirectory: true) }
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        // Read while it runs: a full pipe would stall the program.
        let output = CapturedOutput(stdout.fileHandleForReading)
        let errors = CapturedOutput(stderr.fileHandleForReading)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
                return
            }
            if let input { stdin.fileHandleForWriting.write(input) }
            try? stdin.fileHandleForWriting.close()
        }
        return Output(status: status, standardOutput: output.finish(), standardError: errors.finish())
    }

    /// Runs `executable arguments` and returns its standard output.
    /// - Throws: ``TestSupportError`` with its error output when it exits with a failure.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let result = try await output(executable, arguments)
        guard result.status == 0 else {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw TestSupportError(
                "\(name) \(arguments.joined(separator: " ")) exited with \(result.status): \(result.standardError.suffix(2000))\(result.standardOutput.suffix(2000))")
        }
        return result.standardOutput
    }
}
