import CurlHTTP
import Foundation
import Logging
import Synchronization
import TelegramEmulator
import Testing

@testable import TelegramBotAPI

/// The token every test client uses; tests check it never leaks.
let testToken = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

/// One request the scripted server received.
struct ReceivedCall: Sendable {
    var method: String
    var request: LocalHTTPServer.Request
    var arrivedAt: ContinuousClock.Instant

    /// The JSON body's top-level fields.
    func json() throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
    }

    /// The fields the sender tests route on.
    var fields: Fields {
        (try? JSONDecoder().decode(Fields.self, from: Data(request.body))) ?? Fields()
    }

    struct Fields: Decodable {
        var chatID: Int64?
        var text: String?

        init() {}

        enum CodingKeys: String, CodingKey {
            case chatID = "chat_id"
            case text
        }
    }
}

/// A Bot API server on 127.0.0.1 whose answers a test scripts: it records
/// every call and answers each with what `reply` returns.
final class ScriptedBotAPI: Sendable {
    typealias Reply = @Sendable (ReceivedCall) async -> LocalHTTPServer.Response

    private let calls = Mutex<[ReceivedCall]>([])
    private let reply: Reply

    init(reply: @escaping Reply) {
        self.reply = reply
    }

    /// Calls received so far, in arrival order.
    var received: [ReceivedCall] {
        calls.withLock { $0 }
    }

    func handle(_ request: LocalHTTPServer.Request) async -> LocalHTTPServer.Response {
        // The path is /bot<token>/<method>.
        let method = request.uri.split(separator: "/").last.map(String.init) ?? ""
        let call = ReceivedCall(method: method, request: request, arrivedAt: .now)
        calls.withLock { $0.append(call) }
        return await reply(call)
    }

    /// `{"ok":true,"result":<result>}`.
    static func ok(_ result: String) -> LocalHTTPServer.Response {
        json(200, #"{"ok":true,"result":\#(result)}"#)
    }

    /// Telegram's error envelope, with the HTTP status Telegram uses (the error code).
    static func error(_ code: Int, _ description: String, retryAfter: Int? = nil, migrateTo: Int64? = nil) -> LocalHTTPServer.Response {
        var parameters: [String] = []
        if let retryAfter { parameters.append(#""retry_after":\#(retryAfter)"#) }
        if let migrateTo { parameters.append(#""migrate_to_chat_id":\#(migrateTo)"#) }
        let extra = parameters.isEmpty ? "" : #","parameters":{\#(parameters.joined(separator: ","))}"#
        return json(code, #"{"ok":false,"error_code":\#(code),"description":"\#(description)"\#(extra)}"#)
    }

    static func json(_ status: Int, _ body: String) -> LocalHTTPServer.Response {
        LocalHTTPServer.Response(status: status, headers: [(name: "Content-Type", value: "application/json")], body: Array(body.utf8))
    }

    /// A message as Telegram returns it from `sendMessage`.
    static func message(id: Int, chatID: Int64, text: String) -> String {
        let type = chatID > 0 ? "private" : "supergroup"
        return #"{"message_id":\#(id),"from":{"id":42,"is_bot":true,"first_name":"UK Bot","username":"uk_bot"},"chat":{"id":\#(chatID),"type":"\#(type)"},"date":1700000000,"text":"\#(text)"}"#
    }
}

/// Runs `body` with a started scripted server and a Bot API client pointed at
/// it, and shuts both down afterwards.
func withBotAPI<Result>(
    requestTimeout: Duration = .seconds(10),
    reply: @escaping ScriptedBotAPI.Reply,
    _ body: (BotAPIClient, ScriptedBotAPI) async throws -> Result
) async throws -> Result {
    let script = ScriptedBotAPI(reply: reply)
    let server = LocalHTTPServer { await script.handle($0) }
    let port = try await server.start()
    let http = try HTTPClient()
    let client = BotAPIClient(
        configuration: .init(token: testToken, baseURL: "http://127.0.0.1:\(port)", requestTimeout: requestTimeout),
        httpClient: http,
        logger: Logger(label: "test")
    )
    do {
        let result = try await body(client, script)
        for call in script.received where call.request.method != "POST" || call.request.uri != "/bot\(testToken)/\(call.method)" {
            Issue.record("expected POST /bot<token>/<method>, got \(call.request.method) \(call.request.uri)")
        }
        await http.shutdown()
        await server.shutdown()
        return result
    } catch {
        await http.shutdown()
        await server.shutdown()
        throw error
    }
}

/// Splits a `multipart/form-data` body into parts: their headers and content.
func multipartParts(of request: LocalHTTPServer.Request) throws -> [(name: String, filename: String?, contentType: String?, data: [UInt8])] {
    let contentType = try #require(request.header("content-type"))
    let boundary = try #require(contentType.components(separatedBy: "boundary=").last)
    let delimiter = Array("\r\n--\(boundary)".utf8)
    // Prefixing CRLF lets the first delimiter match like the others.
    let body = Array("\r\n".utf8) + request.body
    var sections: [[UInt8]] = []
    var start = 0
    var index = 0
    while index + delimiter.count <= body.count {
        if body[index..<index + delimiter.count].elementsEqual(delimiter) {
            sections.append(Array(body[start..<index]))
            index += delimiter.count
            start = index
        } else {
            index += 1
        }
    }
    let headerEnd = Array("\r\n\r\n".utf8)
    return sections.dropFirst().compactMap { section in
        guard let split = (0..<max(section.count - 3, 0)).first(where: { section[$0..<$0 + 4].elementsEqual(headerEnd) }) else {
            return nil
        }
        let headers = String(decoding: section[..<split], as: UTF8.self).components(separatedBy: "\r\n")
        let disposition = headers.first { $0.lowercased().hasPrefix("content-disposition") } ?? ""
        let type = headers.first { $0.lowercased().hasPrefix("content-type") }?.components(separatedBy: ": ").last
        return (
            name: quoted("name", in: disposition) ?? "",
            filename: quoted("filename", in: disposition),
            contentType: type,
            data: Array(section[(split + 4)...])
        )
    }
}

private func quoted(_ parameter: String, in header: String) -> String? {
    guard let range = header.range(of: "; \(parameter)=\"") else { return nil }
    let rest = header[range.upperBound...]
    return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
}
