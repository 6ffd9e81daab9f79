public import Foundation
import Synchronization

/// Collects what a child process writes to one pipe, readable at any time while it runs.
public final class CapturedOutput: Sendable {
    private let bytes = Mutex(Data())

    public init(_ handle: FileHandle) {
        handle.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            guard !chunk.isEmpty else {
                // End of file: the child is gone; stop being called for nothing.
                handle.readabilityHandler = nil
                return
            }
            self?.bytes.withLock { $0.append(chunk) }
        }
    }

    public var text: String {
        self.bytes.withLock { String(decoding: $0, as: UTF8.self) }
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
