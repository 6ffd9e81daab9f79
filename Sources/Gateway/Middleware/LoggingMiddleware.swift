import Foundation
public import TelegramBotAPI

/// Logs one line per update at `info`: correlation id, update kind,
/// conversation, outcome and latency. Never the token, never the message
/// text (that appears only at `trace`, for local debugging). Each handling
/// time also goes to ``LiveStats`` for `/status`.
public struct LoggingMiddleware: UpdateMiddleware {
    private let stats: LiveStats?

    /// Creates the middleware.
    public init(stats: LiveStats? = nil) {
        self.stats = stats
    }

    public func handle(
        _ update: Update,
        context: UpdateContext,
        next: @Sendable (Update, UpdateContext) async throws -> StepOutcome
    ) async throws -> StepOutcome {
        let logger = context.logger
        logger.trace("update text", metadata: ["text": "\(update.message?.text ?? "")"])
        do {
            let outcome = try await next(update, context)
            self.stats?.recordUpdate(bot: context.bot, milliseconds: context.elapsedMilliseconds)
            logger.info("update handled", metadata: [
                "kind": "\(update.kind.fieldName)",
                "conversation": "\(context.conversation)",
                "outcome": "ok",
                "replies": "\(outcome.replies.count)",
                "state": "\(Self.describe(outcome.state))",
                "latency_ms": "\(String(format: "%.2f", context.elapsedMilliseconds))",
            ])
            return outcome
        } catch {
            logger.error("update failed", metadata: [
                "kind": "\(update.kind.fieldName)",
                "conversation": "\(context.conversation)",
                "outcome": "error",
                "error": "\(error)",
                "latency_ms": "\(String(format: "%.2f", context.elapsedMilliseconds))",
            ])
            throw error
        }
    }

    private static func describe(_ change: StepOutcome.StateChange) -> String {
        switch change {
        case .keep: "kept"
        case .set: "saved"
        case .clear: "cleared"
        }
    }

}
