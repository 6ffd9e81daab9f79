import CurlHTTP
import Foundation
import TelegramBotAPI

extension FakeTelegram {
    func setWebhook(_ parameters: RequestParameters) throws -> Reply {
        let url = parameters["url"]?.stringValue ?? ""
        if url.isEmpty {
            return deleteWebhook(parameters)
        }
        guard Self.isLoopback(url) else {
            // The emulator never sends traffic off this machine.
            throw BotAPIFailure.badRequest("bad webhook: the emulator delivers only to http(s)://127.0.0.1 or localhost")
        }
        let secret = parameters["secret_token"]?.stringValue
        if let secret {
            guard (1...256).contains(secret.count),
                secret.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") })
            else { throw BotAPIFailure.badRequest("secret token contains unallowed characters") }
        }
        let maxConnections = parameters.int("max_connections") ?? 40
        guard (1...100).contains(maxConnections) else { throw BotAPIFailure.badRequest("invalid max_connections specified") }
        let allowed = try parameters["allowed_updates"].map { value in
            do { return try value.decode([String].self) } catch { throw BotAPIFailure.badRequest("can't parse allowed updates") }
        }
        let webhook = EmulatorState.Webhook(
            url: url, secretToken: secret, certificate: parameters.files["certificate"], maxConnections: maxConnections,
            allowedUpdates: (allowed?.isEmpty ?? true) ? nil : allowed, ipAddress: parameters["ip_address"]?.stringValue)
        let wasSet = mutate { state in
            let wasSet = state.webhook?.url == url
            state.webhook = webhook
            state.lastWebhookError = nil
            state.nextDeliveryTime = nil
            if parameters["drop_pending_updates"]?.boolValue == true { state.pending.removeAll() }
            return wasSet
        }
        return Reply(.bool(true), description: wasSet ? "Webhook is already set" : "Webhook was set")
    }

    func deleteWebhook(_ parameters: RequestParameters) -> Reply {
        let wasSet = mutate { state in
            let wasSet = state.webhook != nil
            state.webhook = nil
            if parameters["drop_pending_updates"]?.boolValue == true { state.pending.removeAll() }
            return wasSet
        }
        return Reply(.bool(true), description: wasSet ? "Webhook was deleted" : "Webhook is already deleted")
    }

    func getWebhookInfo() throws -> Reply {
        try state.withLock { state in
            var info: [String: JSONValue] = [
                "url": .string(state.webhook?.url ?? ""),
                "has_custom_certificate": .bool(state.webhook?.certificate != nil),
                "pending_update_count": .int(Int64(state.pending.count)),
            ]
            if let webhook = state.webhook {
                info["max_connections"] = .int(Int64(webhook.maxConnections))
                if let ipAddress = webhook.ipAddress { info["ip_address"] = .string(ipAddress) }
                if let allowed = webhook.allowedUpdates { info["allowed_updates"] = try JSONValue(encoding: allowed) }
            }
            if let error = state.lastWebhookError {
                info["last_error_date"] = .int(Int64(error.date.timeIntervalSince1970))
                info["last_error_message"] = .string(error.message)
            }
            return Reply(.object(info))
        }
    }

    /// Pushes pending updates to the webhook until cancelled: at most one update per chat at a
    /// time, so each chat's updates arrive in order, and up to `max_connections` chats at once.
    func deliverUpdates(with client: HTTPClient) async {
        while !Task.isCancelled {
            let wake = state.withLock { $0.nextDeliveryTime } ?? .now + .seconds(60)
            let due = await changes.value(before: wake) { state.withLock { Self.dueBatch(&$0) } }
            guard let (webhook, batch) = due else { continue }
            let outcomes = await withTaskGroup(of: (Int, Int?, String?).self) { group in
                for update in batch {
                    group.addTask { await Self.post(update, to: webhook, with: client) }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            record(outcomes)
        }
    }

    private static func dueBatch(_ state: inout EmulatorState) -> (EmulatorState.Webhook, [Update])? {
        guard let webhook = state.webhook, !state.pending.isEmpty else { return nil }
        if let next = state.nextDeliveryTime, next > .now { return nil }
        var chats: Set<Int64> = []
        var batch: [Update] = []
        for update in state.pending where batch.count < webhook.maxConnections {
            let chatID = update.chat?.id ?? 0
            if chats.insert(chatID).inserted { batch.append(update) }
        }
        return (webhook, batch)
    }

    private static func post(_ update: Update, to webhook: EmulatorState.Webhook, with client: HTTPClient) async -> (Int, Int?, String?) {
        var headers = [HTTPHeader(name: "Content-Type", value: "application/json")]
        if let secret = webhook.secretToken {
            headers.append(HTTPHeader(name: "X-Telegram-Bot-Api-Secret-Token", value: secret))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        do {
            let body = try encoder.encode(update)
            let response = try await client.execute(HTTPRequest(method: .post, url: webhook.url, headers: headers, body: .bytes(Array(body))))
            if (200..<300).contains(response.status) { return (update.updateID, response.status, nil) }
            return (update.updateID, response.status, "Wrong response from the webhook: \(response.status) \(reasonPhrase(response.status))")
        } catch let error as HTTPClientError {
            let message = switch error.code {
            case .connectFailed: "Connection refused"
            case .timedOut, .connectTimedOut: "Read timeout expired"
            case .tls: "SSL error {error:0A000086:SSL routines::certificate verify failed}"
            default: error.message
            }
            return (update.updateID, nil, message)
        } catch {
            return (update.updateID, nil, "\(error)")
        }
    }

    private func record(_ outcomes: [(Int, Int?, String?)]) {
        let settings = configuration.webhook
        mutate { state in
            var longestBackoff: Duration?
            for (updateID, status, error) in outcomes {
                let attempt = (state.deliveryAttempts[updateID] ?? 0) + 1
                state.deliveries.append(WebhookDelivery(updateID: updateID, attempt: attempt, status: status, error: error, date: Date()))
                guard let error else {
                    state.pending.removeAll { $0.updateID == updateID }
                    state.deliveryAttempts[updateID] = nil
                    continue
                }
                state.lastWebhookError = (Date(), error)
                if attempt >= settings.maxAttempts {
                    state.pending.removeAll { $0.updateID == updateID }
                    state.deliveryAttempts[updateID] = nil
                } else {
                    state.deliveryAttempts[updateID] = attempt
                    let backoff = min(settings.maxBackoff, settings.initialBackoff * (1 << min(attempt - 1, 16)))
                    longestBackoff = max(longestBackoff ?? backoff, backoff)
                }
            }
            state.nextDeliveryTime = longestBackoff.map { .now + $0 }
        }
    }

    private static func isLoopback(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host?.lowercased()
        else { return false }
        return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]"
    }

    private static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: ""
        }
    }
}
