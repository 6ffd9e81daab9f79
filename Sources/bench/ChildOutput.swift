import Foundation

/// Runs a short-lived child to its exit and returns its status and its
/// stdout and stderr together. For children that print little: the output is
/// read after the exit, so more than a pipe's buffer would block the child.
func runToExit(_ executable: String, arguments: [String], environment: [String: String]? = nil) async throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment {
        process.environment = environment
    }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do {
            try process.run()
        } catch {
            continuation.resume(throwing: error)
        }
    }
    return (status, String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
}
