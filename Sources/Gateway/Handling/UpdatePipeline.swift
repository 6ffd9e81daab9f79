public import TelegramBotAPI

/// Middleware in order, then the bot.
public struct UpdatePipeline: Sendable {
    private let middleware: [any UpdateMiddleware]
    private let handler: any UpdateHandler

    /// Creates a pipeline; `middleware` runs first to last.
    public init(middleware: [any UpdateMiddleware], handler: any UpdateHandler) {
        self.middleware = middleware
        self.handler = handler
    }

    /// Runs `update` through every middleware and the handler.
    public func run(_ update: Update, context: UpdateContext) async throws -> StepOutcome {
        try await self.run(from: 0, update, context)
    }

    private func run(from index: Int, _ update: Update, _ context: UpdateContext) async throws -> StepOutcome {
        guard index < self.middleware.count else {
            return try await self.handler.handle(update, context: context)
        }
        return try await self.middleware[index].handle(update, context: context) { update, context in
            try await self.run(from: index + 1, update, context)
        }
    }
}
