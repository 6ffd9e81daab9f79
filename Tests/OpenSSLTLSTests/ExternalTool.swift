import Foundation
import Synchronization

/// Runs `curl` or `openssl` as a child process without blocking a thread of
/// the cooperative pool, which the server under test needs to answer.
struct ExternalTool {
    struct Output {
        let status: Int32
        let standardOutput: String
        let standardError: String
    }

    static func run(_ executable: String, _ arguments: [String], input: String? = nil) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        let outputBuffer = CapturedBytes(stdout.fileHandleForReading)
        let errorBuffer = CapturedBytes(stderr.fileHandleForReading)
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
                return
            }
            if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
            try? stdin.fileHandleForWriting.close()
        }
        return Output(status: status, standardOutput: outputBuffer.finish(), standardError: errorBuffer.finish())
    }
}

/// Collects what a pipe delivers, readable at any time while it runs.
final class CapturedBytes: Sendable {
    private let bytes = Mutex(Data())
    private let handle: FileHandle

    init(_ handle: FileHandle) {
        self.handle = handle
        handle.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            self?.bytes.withLock { $0.append(chunk) }
        }
    }

    var text: String {
        self.bytes.withLock { String(decoding: $0, as: UTF8.self) }
    }

    /// Stops collecting, takes what is left in the pipe and returns it all.
    func finish() -> String {
        self.handle.readabilityHandler = nil
        let rest = (try? self.handle.readToEnd()) ?? Data()
        return self.bytes.withLock {
            $0.append(rest)
            return String(decoding: $0, as: UTF8.self)
        }
    }

    /// Waits until the collected text contains `needle`, up to `timeout`.
    func waitFor(_ needle: String, timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.text.contains(needle) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return self.text.contains(needle)
    }
}
