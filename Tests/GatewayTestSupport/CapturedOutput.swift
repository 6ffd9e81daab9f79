public import Foundation
import Synchronization

/// Collects what a child process writes to one pipe, readable at any time while it runs.
public final class CapturedOutput: Sendable {
    private let bytes = Mutex(Data())
    /// Held while a chunk is read and stored, so ``finish()`` never returns
    /// before a chunk already taken from the pipe is stored.
    private let reading = NSLock()
    private let handle: FileHandle

    public init(_ handle: FileHandle) {
        self.handle = handle
        handle.readabilityHandler = { [weak self] handle in
            guard let self else { return }
            self.reading.lock()
            defer { self.reading.unlock() }
            let chunk = handle.availableData
            guard !chunk.isEmpty else {
                // End of file: the child is gone; stop being called for nothing.
                handle.readabilityHandler = nil
                return
            }
            self.bytes.withLock { $0.append(chunk) }
        }
    }

    public var text: String {
        self.bytes.withLock { String(decoding: $0, as: UTF8.self) }
    }

    /// Stops collecting, takes what is left in the pipe and returns it all
    /// (call it once the child has exited).
    public func finish() -> String {
        self.handle.readabilityHandler = nil
        self.reading.lock()
        defer { self.reading.unlock() }
        let rest = (try? self.handle.readToEnd()) ?? Data()
        return self.bytes.withLock {
            $0.append(rest)
            return String(decoding: $0, as: UTF8.self)
        }
    }

    /// Waits until the collected text contains `needle`, up to `timeout`.
    public func waitFor(_ needle: String, timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.text.contains(needle) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return self.text.contains(needle)
    }

    /// The complete lines so far.
    public var lines: [String] {
        let text = self.text
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if !text.hasSuffix("\n"), !lines.isEmpty { lines.removeLast() }
        return lines
    }
}

/// One line of the gateway's JSON log (`LOG_FORMAT=json`).
public struct LogLine: Sendable, CustomStringConvertible {
    public var level: String
    public var message: String
    public var metadata: [String: String]
    public var raw: String

    public init?(_ line: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
              let message = object["message"] as? String
        else { return nil }
        self.level = object["level"] as? String ?? ""
        self.message = message
        self.metadata = (object["metadata"] as? [String: Any] ?? [:]).compactMapValues { $0 as? String }
        self.raw = line
    }

    public var description: String { self.raw }
}
