public import Foundation

/// Runs the `openssl` command (keys and signatures for tests), waiting for it
/// without blocking a thread of the cooperative pool.
public enum OpenSSLCommand {
    /// Runs `openssl arguments`, its output discarded.
    /// - Throws: ``TestSupportError`` when it exits with a failure.
    public static func run(_ arguments: [String]) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        guard status == 0 else { throw TestSupportError("openssl \(arguments.joined(separator: " ")) exited with \(status)") }
    }
}
