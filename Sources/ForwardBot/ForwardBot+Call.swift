import CurlHTTP
import Foundation
import Gateway
import ServiceClients

extension ForwardBot {
    /// How one call ended.
    enum Verdict: Sendable {
        /// A 2xx answer's body.
        case answer([UInt8])
        /// Not worth retrying: a 4xx other than 408 and 429, or an answer too large to read.
        case refused(DeadLetter.Reason, String)
        /// Worth retrying, after `retryAfter` when the backend said; `health` is what it tells the breaker.
        case transient(String, retryAfter: Duration?, health: CircuitBreaker.Outcome)
        /// The task was cancelled and the transfer stopped.
        case cancelled

        var breakerOutcome: CircuitBreaker.Outcome {
            switch self {
            case .answer, .refused: .success
            case .transient(_, _, let health): health
            case .cancelled: .abandoned
            }
        }
    }

    /// Makes attempt number `attempt` (from 1) and counts it by outcome.
    func exchange(_ body: [UInt8], delivery: Delivery, attempt: Int) async -> Verdict {
        let bot = self.configuration.bot
        let request = HTTPRequest(
            method: .post,
            url: self.configuration.url,
            headers: self.headers(body, updateID: delivery.updateID, attempt: attempt),
            body: .bytes(body),
            timeout: self.configuration.timeout,
            connectTimeout: self.configuration.timeout)
        let response: HTTPResponse
        do {
            response = try await self.httpClient.execute(request)
        } catch let error as HTTPClientError {
            // An HTTPClientError's message never holds the URL.
            switch error.code {
            case .cancelled:
                return .cancelled
            case .timedOut, .connectTimedOut:
                ForwardMetrics.recordCall(bot: bot, outcome: "timeout")
                return .transient("no answer within \(self.configuration.timeout): \(error.message)", retryAfter: nil, health: .failure)
            case .responseTooLarge:
                ForwardMetrics.recordCall(bot: bot, outcome: "rejected")
                ForwardMetrics.recordRefusal(bot: bot, reason: .invalidAnswer)
                return .refused(.invalidAnswer, "the answer is too large to read: \(error.message)")
            default:
                ForwardMetrics.recordCall(bot: bot, outcome: "network")
                return .transient("the call failed (\(error.code)): \(error.message)", retryAfter: nil, health: .failure)
            }
        } catch {
            ForwardMetrics.recordCall(bot: bot, outcome: "network")
            return .transient("the call failed: \(error)", retryAfter: nil, health: .failure)
        }

        let status = response.status
        let answered = "the backend answered \(status)"
        switch status {
        case 200..<300:
            ForwardMetrics.recordCall(bot: bot, outcome: "ok")
            return .answer(response.body)
        case 408:
            ForwardMetrics.recordCall(bot: bot, outcome: "timeout")
            return .transient(answered, retryAfter: nil, health: .failure)
        case 429:
            ForwardMetrics.recordCall(bot: bot, outcome: "rate_limited")
            // A 429 is an answer: the backend is up, only busy.
            let retryAfter = response.headers.value(for: "Retry-After").flatMap { RetryAfter.parse($0) }
            return .transient(answered, retryAfter: retryAfter, health: .success)
        case 500...599:
            ForwardMetrics.recordCall(bot: bot, outcome: "server_error")
            return .transient(answered, retryAfter: nil, health: .failure)
        default:
            ForwardMetrics.recordCall(bot: bot, outcome: "rejected")
            let detail = response.body.isEmpty ? "" : " (\(ForwardAnswer.preview(response.body[...])))"
            return .refused(.rejected, answered + detail)
        }
    }

    /// The contract's headers; the signature is made for this attempt, so a
    /// retry long after the first call is still within the backend's five minutes.
    func headers(_ body: [UInt8], updateID: Int, attempt: Int) -> [HTTPHeader] {
        let bot = self.configuration.bot.name
        let unixTime = Int64(self.timing.wallClock().timeIntervalSince1970.rounded(.down))
        return [
            HTTPHeader(name: "Content-Type", value: "application/json"),
            HTTPHeader(name: "X-Gateway-Bot", value: bot),
            HTTPHeader(name: "X-Gateway-Delivery", value: "\(bot):\(updateID):\(attempt)"),
            HTTPHeader(name: "Idempotency-Key", value: "\(bot):\(updateID)"),
            HTTPHeader(name: ForwardSignature.headerName, value: ForwardSignature.header(body: body, secret: self.secret, unixTime: unixTime)),
        ]
    }
}
