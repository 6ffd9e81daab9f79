import Foundation
import TelegramBotAPI

extension FakeTelegram {
    /// What a method answers on success: the `result` and, for some methods, a `description`.
    struct Reply {
        var result: JSONValue
        var description: String?

        init(_ result: JSONValue, description: String? = nil) {
            self.result = result
            self.description = description
        }

        init(encoding value: some Encodable) throws {
            self.init(try JSONValue(encoding: value))
        }

        static let `true` = Reply(.bool(true))
    }

    /// Answers one HTTP request as Telegram's Bot API server would.
    func answer(_ request: LocalHTTPServer.Request) async -> LocalHTTPServer.Response {
        let arrival = Arrival()
        let target = request.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = target[0].split(separator: "/")
        guard path.count == 2, path[0].hasPrefix("bot") else {
            return Self.encode(failure: .notFound)
        }
        let token = path[0].dropFirst(3)
        guard token == configuration.token, !mutate({ $0.tokenRevoked }) else {
            return Self.encode(failure: Self.looksLikeToken(token) ? .unauthorized : .notFound)
        }
        let method = String(path[1])
        let parameters: RequestParameters
        do {
            parameters = try RequestParameters(
                query: target.count > 1 ? target[1] : nil, contentType: request.header("content-type"), body: request.body)
        } catch {
            return respond(
                method: method, parameters: RequestParameters(), arrival: arrival, outcome: .failure(.badRequest("can't parse JSON object")))
        }
        let outcome: Result<Reply, BotAPIFailure>
        do {
            outcome = .success(try await perform(method, parameters))
        } catch let failure as BotAPIFailure {
            outcome = .failure(failure)
        } catch {
            outcome = .failure(.badRequest("can't parse request: \(error)"))
        }
        return respond(method: method, parameters: parameters, arrival: arrival, outcome: outcome)
    }

    /// The moment a request reached the emulator, on both clocks a ``RecordedCall`` reports.
    private struct Arrival {
        let date = Date()
        let instant = ContinuousClock.now
    }

    private func perform(_ method: String, _ parameters: RequestParameters) async throws -> Reply {
        // Telegram matches method names case-insensitively.
        switch method.lowercased() {
        case "getme": return try getMe()
        case "sendmessage": return try sendMessage(parameters)
        case "editmessagetext": return try editMessageText(parameters)
        case "editmessagereplymarkup": return try editMessageReplyMarkup(parameters)
        case "deletemessage": return try deleteMessage(parameters)
        case "sendphoto": return try sendPhoto(parameters)
        case "answercallbackquery": return try answerCallbackQuery(parameters)
        case "setwebhook": return try setWebhook(parameters)
        case "deletewebhook": return deleteWebhook(parameters)
        case "getwebhookinfo": return try getWebhookInfo()
        case "getupdates": return try await getUpdates(parameters)
        case "setmycommands": return try setMyCommands(parameters)
        case "deletemycommands": return try deleteMyCommands(parameters)
        case "getmycommands": return try getMyCommands(parameters)
        case "getchatmember": return try getChatMember(parameters)
        default: throw BotAPIFailure.notFound
        }
    }

    private func respond(
        method: String, parameters: RequestParameters, arrival: Arrival, outcome: Result<Reply, BotAPIFailure>
    ) -> LocalHTTPServer.Response {
        let response: LocalHTTPServer.Response
        var failure: BotAPIFailure?
        switch outcome {
        case .success(let reply):
            response = Self.encode(BotAPIResponse(ok: true, result: reply.result, description: reply.description), status: 200)
        case .failure(let error):
            failure = error
            response = Self.encode(failure: error)
        }
        // Stamped before the answer leaves, so no client can have seen it earlier.
        let call = RecordedCall(
            method: method, parameters: parameters.recorded, files: parameters.files, date: arrival.date,
            arrived: arrival.instant, answered: .now, status: response.status, errorDescription: failure?.description,
            retryAfter: failure?.retryAfter)
        mutate { state in
            state.calls.append(call)
            if failure?.errorCode == 429 { state.tooManyRequestsCount += 1 }
        }
        return response
    }

    static func encode(failure: BotAPIFailure) -> LocalHTTPServer.Response {
        let body = BotAPIResponse<JSONValue>(
            ok: false, errorCode: failure.errorCode, description: failure.description,
            parameters: failure.retryAfter != nil || failure.migrateToChatID != nil
                ? ResponseParameters(migrateToChatID: failure.migrateToChatID, retryAfter: failure.retryAfter) : nil)
        var response = encode(body, status: failure.errorCode)
        if let retryAfter = failure.retryAfter {
            response.headers.append((name: "Retry-After", value: String(retryAfter)))
        }
        return response
    }

    private static func encode(_ body: BotAPIResponse<JSONValue>, status: Int) -> LocalHTTPServer.Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let bytes = (try? encoder.encode(body)).map(Array.init) ?? Array(#"{"ok":false}"#.utf8)
        return LocalHTTPServer.Response(
            status: status, headers: [(name: "Content-Type", value: "application/json")], body: bytes)
    }

    /// Telegram answers 401 for a well-formed token it does not know and 404 for anything else.
    private static func looksLikeToken(_ token: Substring) -> Bool {
        let parts = token.split(separator: ":", maxSplits: 1)
        return parts.count == 2 && parts[0].allSatisfy(\.isNumber) && !parts[1].isEmpty
    }
}
