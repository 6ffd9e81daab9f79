public import Foundation

/// Runs a program a test needs (`openssl`, `redis-cli`), waiting for it
/// without blocking a thread of the cooperative pool.
public enum ExternalCommand {
    /// Runs `executable arguments` and returns its standard output.
    /// - Throws: ``TestSupportError`` with its error output when it exits with a failure.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        // Read while it runs: a full pipe would stall the program.
        let collected = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        let collectedErrors = Task.detached { errors.fileHandleForReading.readDataToEndOfFile() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        let text = String(decoding: await collected.value, as: UTF8.self)
        let errorText = String(decoding: await collectedErrors.value, as: UTF8.self)
        guard status == 0 else {
            let name = URL(fileURLWithPath: executable).lastPathComponent
            throw TestSupportError("\(name) \(arguments.joined(separator: " ")) exited with \(status): \(errorText.suffix(2000))\(text.suffix(2000))")
        }
        return text
    }
}
