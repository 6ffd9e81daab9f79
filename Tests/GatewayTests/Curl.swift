import Foundation
import Synchronization

/// Runs the `curl` command line tool without blocking a thread of the
/// cooperative pool, which the server under test needs to answer.
enum Curl {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static let executable = "/usr/bin/curl"

    /// Sends one request; `arguments` are extra curl options (headers, data),
    /// `input` is what curl reads for `@-`.
    static func request(_ url: String, _ arguments: [String] = [], caFile: String? = nil, input: Data? = nil) async throws -> Response {
        var options = ["-s", "-i", "--noproxy", "*", "-H", "Expect:", "--max-time", "20"]
        if let caFile { options += ["--cacert", caFile] }
        let output = try await run(options + arguments + [url], input: input)
        guard output.status == 0 else {
            throw CurlError(message: "curl exited \(output.status): \(output.standardError)")
        }
        return try parse(output.standardOutput)
    }

    /// POSTs `body` to `url` with the secret header (when given).
    static func post(
        _ url: String,
        body: String,
        secret: String? = "s3cret",
        extra: [String] = [],
        caFile: String? = nil
    ) async throws -> Response {
        var arguments = ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "@-"]
        if let secret { arguments += ["-H", "X-Telegram-Bot-Api-Secret-Token: \(secret)"] }
        return try await Self.request(url, arguments + extra, caFile: caFile, input: Data(body.utf8))
    }

    private static func parse(_ text: String) throws -> Response {
        guard let split = text.range(of: "\r\n\r\n") else { throw CurlError(message: "no response head in: \(text)") }
        let head = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw CurlError(message: "bad status line \(head[0])") }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: headers, body: String(text[split.upperBound...]))
    }

    struct Output {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    static func run(_ arguments: [String], input: Data? = nil) async throws -> Output {
        try await runProcess(executable, arguments, input: input)
    }

    /// Runs any executable to completion; `environment` replaces the
    /// inherited one when given.
    static func runProcess(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        input: Data? = nil
    ) async throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
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
            if let input { stdin.fileHandleForWriting.write(input) }
            try? stdin.fileHandleForWriting.close()
        }
        return Output(status: status, standardOutput: outputBuffer.finish(), standardError: errorBuffer.finish())
    }
}

struct CurlError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
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
    func waitFor(_ needle: String, timeout: Duration = .seconds(20)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if self.text.contains(needle) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return self.text.contains(needle)
    }
}
