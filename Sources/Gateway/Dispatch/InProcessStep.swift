public import Conversations
public import Logging
public import TelegramBotAPI

/// One step outside the durable pipeline (no Redis: the sandbox, a single
/// development instance): the state comes from and goes back to a
/// ``Conversations/ConversationStore``, the replies go straight to the sender.
/// Not atomic and not durable — the in-process dispatcher never is.
public enum InProcessStep {
    /// Runs `delivery` through `pipeline` and applies its outcome.
    public static func run(
        _ delivery: UpdateDelivery,
        conversation: String,
        pipeline: UpdatePipeline,
        store: any ConversationStore,
        sender: OutboundSender,
        logger: Logger
    ) async throws {
        let key = ConversationStoreKey(bot: delivery.bot.name, conversation: conversation)
        let stored = try await store.load(key)
        let context = UpdateContext(update: delivery.update, bot: delivery.bot, conversation: conversation, state: stored?.encoded(), raw: delivery.raw, logger: logger)
        let outcome = try await pipeline.run(delivery.update, context: context)
        switch outcome.state {
        case .keep:
            break
        case .set(let bytes):
            try await store.save(try ConversationState.decode(bytes), for: key, expecting: stored?.version)
        case .clear:
            try await store.clear(key)
        }
        for reply in outcome.replies {
            sender.submit(reply, priority: .high, readingResult: false) { _ in }
        }
    }
}
