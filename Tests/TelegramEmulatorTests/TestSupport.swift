import CurlHTTP
import Foundation
import TelegramBotAPI
import TelegramEmulator

/// Runs `body` with a started fake Telegram and a client, and shuts both down afterwards.
func withTelegram<Result>(
    _ configuration: FakeTelegram.Configuration = .init(),
    _ body: (FakeTelegram, HTTPClient) async throws -> Result
) async throws -> Result {
    let telegram = FakeTelegram(configuration: configuration)
    try await telegram.start()
    let client = try HTTPClient()
    do {
        let result = try await body(telegram, client)
        await client.shutdown()
        await telegram.shutdown()
        return result
    } catch {
        await client.shutdown()
        await telegram.shutdown()
        throw error
    }
}

extension HTTPClient {
    /// Calls a Bot API method with a JSON body and returns the status and the parsed body.
    func call(_ telegram: FakeTelegram, _ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> (Int, JSONValue) {
        let body = try JSONEncoder().encode(JSONValue.object(parameters))
        let response = try await execute(HTTPRequest(
            method: .post, url: telegram.methodURL(method),
            headers: [HTTPHeader(name: "Content-Type", value: "application/json")], body: .bytes(Array(body)),
            timeout: .seconds(30)))
        return (response.status, try JSONValue(parsing: response.body))
    }

    /// Calls a Bot API method and decodes its `result`.
    func result<T: Decodable>(_ telegram: FakeTelegram, _ method: String, _ parameters: [String: JSONValue] = [:], as type: T.Type) async throws -> T {
        let (_, body) = try await call(telegram, method, parameters)
        return try JSONDecoder().decode(BotAPIResponse<T>.self, from: JSONEncoder().encode(body)).result!
    }
}

/// Inline keyboard markup as JSON.
func keyboard(_ rows: [[(String, String)]]) -> JSONValue {
    .object(["inline_keyboard": .array(rows.map { row in
        .array(row.map { .object(["text": .string($0.0), "callback_data": .string($0.1)]) })
    })])
}
