import Foundation
import Gateway
import Logging
import TelegramBotAPI

extension ForwardBot {
    /// The step a 2xx answer decides. A refused answer is a dead letter and
    /// leaves the conversation as it was; refused actions are a dead letter
    /// and the others are sent.
    func outcome(of body: [UInt8], delivery: Delivery, attempts: Int) async -> StepOutcome {
        let answer: ForwardAnswer
        do {
            answer = try ForwardAnswer.parse(body)
        } catch {
            ForwardMetrics.recordRefusal(bot: self.configuration.bot, reason: error.reason)
            await self.deadLetter(delivery, reason: error.reason, error: "answer refused: \(error.message)", attempts: attempts)
            return .unchanged
        }
        var replies: [OutboundCall] = []
        var refusals: [String] = []
        for (index, action) in answer.actions.enumerated() {
            do {
                let call = try OutboxEnvelope.decode(action)
                // The outbox must be able to keep it, or the whole step would fail at the commit.
                _ = try OutboxEnvelope.encode(call)
                replies.append(call)
            } catch {
                refusals.append("action \(index + 1)\(Self.methodName(of: action)): \(Self.summary(of: error))")
            }
        }
        if !refusals.isEmpty {
            ForwardMetrics.recordRefusal(bot: self.configuration.bot, reason: .invalidAction, count: refusals.count)
            let sent = replies.count == 1 ? "1 other sent" : "\(replies.count) others sent"
            await self.deadLetter(
                delivery, reason: .invalidAction,
                error: "\(refusals.count) of \(answer.actions.count) actions refused, \(sent): \(refusals.joined(separator: "; "))",
                attempts: attempts)
        }
        return StepOutcome(state: answer.state, replies: replies)
    }

    /// Keeps the update as a dead letter; if the store fails, the log line is all that is left of it.
    func deadLetter(_ delivery: Delivery, reason: DeadLetter.Reason, error: String, attempts: Int) async {
        let metadata: Logger.Metadata = ["reason": "\(reason)", "error": "\(error)", "attempts": "\(attempts)"]
        delivery.logger.warning("update dead-lettered", metadata: metadata)
        let letter = DeadLetter(
            bot: self.configuration.bot,
            conversation: delivery.conversation,
            updateID: delivery.updateID,
            update: String(decoding: delivery.update, as: UTF8.self),
            reason: reason,
            error: error,
            attempts: attempts,
            time: self.timing.wallClock())
        do {
            try await self.deadLetters.add(letter)
        } catch let storeError {
            var details = metadata
            details["store_error"] = "\(storeError)"
            details["update"] = "\(letter.update)"
            delivery.logger.error("the dead letter could not be kept; the update is only in this log line", metadata: details)
        }
    }

    /// ` (sendFoo)` when the action names a method, for the operator.
    private static func methodName(of action: [UInt8]) -> String {
        struct Named: Decodable { var method: String }
        guard let named = try? JSONDecoder().decode(Named.self, from: Data(action)) else { return "" }
        return " (\(named.method))"
    }

    /// One line for a decoding error: what is wrong and where.
    private static func summary(of error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            return keys.isEmpty ? "the action" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context, key)) is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context)) is not a valid \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)) is null, expected \(type)"
        case .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
