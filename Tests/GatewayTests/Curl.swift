import Foundation
import GatewayTestSupport
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

    typealias Output = ExternalCommand.Output

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
        try await ExternalCommand.output(executable, arguments, environment: environment, input: input)
    }
}

struct CurlError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
