import CurlHTTP
import Foundation
import TelegramEmulator

/// One Bot API address in front of several fake Telegrams, one per bot: the
/// gateway has one `TELEGRAM_API_URL` and each fake serves one token, so a
/// request for `/bot<token>/<method>` is passed to the fake of that token.
final class BotAPIRouter: Sendable {
    private let server: LocalHTTPServer
    private let client: HTTPClient

    private init(server: LocalHTTPServer, client: HTTPClient) {
        self.server = server
        self.client = client
    }

    /// Runs `body` with the router's base URL for `fakes`.
    static func with(_ fakes: [FakeTelegram], _ body: (String) async throws -> Void) async throws {
        let client = try HTTPClient()
        let routes = Dictionary(uniqueKeysWithValues: fakes.map { ($0.configuration.token, $0.baseURL) })
        let server = LocalHTTPServer { request in
            let path = request.uri.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
            guard path.hasPrefix("bot"), let base = routes[String(path.dropFirst(3))] else {
                return .init(status: 404, body: Array(#"{"ok":false,"error_code":404,"description":"Not Found"}"#.utf8))
            }
            let headers = request.header("content-type").map { [HTTPHeader(name: "Content-Type", value: $0)] } ?? []
            do {
                let response = try await client.execute(HTTPRequest(
                    method: .init(rawValue: request.method), url: base + request.uri, headers: headers, body: .bytes(request.body)))
                return .init(status: response.status, headers: [("Content-Type", "application/json")], body: response.body)
            } catch {
                return .init(status: 502, body: Array("\(error)".utf8))
            }
        }
        let port = try await server.start()
        let router = BotAPIRouter(server: server, client: client)
        do {
            try await body("http://127.0.0.1:\(port)")
        } catch {
            await router.shutdown()
            throw error
        }
        await router.shutdown()
    }

    private func shutdown() async {
        await self.server.shutdown()
        await self.client.shutdown()
    }
}
