import TelegramBotAPI

extension FakeTelegram {
    /// The calls answered so far, oldest first; only those of `method` (case-insensitive) if given.
    public func calls(_ method: String? = nil) -> [RecordedCall] {
        let calls = state.withLock { $0.calls }
        guard let method = method?.lowercased() else { return calls }
        return calls.filter { $0.method.lowercased() == method }
    }

    /// Waits for the first call of `method` that `predicate` accepts, counting calls already made.
    ///
    /// - Throws: `EmulatorError` with code `timedOut`.
    public func waitForCall(
        method: String,
        timeout: Duration = .seconds(5),
        where predicate: (RecordedCall) -> Bool = { _ in true }
    ) async throws -> RecordedCall {
        let found = await changes.value(before: .now + timeout) {
            calls(method).first(where: predicate)
        }
        guard let found else {
            throw EmulatorError(.timedOut, message: "no matching \(method) call within \(timeout); calls so far: \(calls().map(\.method))")
        }
        return found
    }

    /// The bot's sends, edits and deletions in a chat, oldest first.
    public func botEvents(inChat chatID: Int64) -> [BotMessageEvent] {
        state.withLock { $0.chats[chatID]?.events ?? [] }
    }

    /// The sequence number of the chat's latest bot event, 0 if none: a point to wait after.
    public func lastSequence(inChat chatID: Int64) -> Int {
        state.withLock { $0.chats[chatID]?.events.last?.sequence ?? 0 }
    }

    /// The bot's newest message still in the chat, with its edits and current keyboard.
    public func lastBotMessage(inChat chatID: Int64) -> Message? {
        state.withLock { state in
            guard let record = state.chats[chatID], let id = record.botMessageIDs.max() else { return nil }
            return record.messages[id]
        }
    }

    /// Waits until the bot sends or edits a message in the chat after the event numbered `sequence`.
    ///
    /// - Returns: The first such send or edit.
    /// - Throws: `EmulatorError` with code `timedOut`.
    public func waitForBotMessage(chat chatID: Int64, after sequence: Int, timeout: Duration = .seconds(5)) async throws -> BotMessageEvent {
        // Woken by this chat's events only; sequences run 1, 2, 3… so the events after
        // `sequence` start at index `sequence`.
        let found = await chatSignal(chatID).value(before: .now + timeout) {
            state.withLock { state -> BotMessageEvent? in
                guard let events = state.chats[chatID]?.events else { return nil }
                return events[min(max(sequence, 0), events.count)...].first { $0.sequence > sequence && $0.kind != .deleted }
            }
        }
        guard let found else {
            throw EmulatorError(.timedOut, message: "the bot sent or edited nothing in chat \(chatID) after event \(sequence) within \(timeout)")
        }
        return found
    }

    /// Waits until the update is no longer pending: delivered to the webhook with a 2xx answer,
    /// confirmed by a later `getUpdates` offset, or dropped after its last failed attempt.
    ///
    /// - Throws: `EmulatorError` with code `timedOut`.
    public func waitUntilConsumed(_ update: Update, timeout: Duration = .seconds(5)) async throws {
        let consumed = await changes.value(before: .now + timeout) {
            state.withLock { state in state.pending.contains { $0.updateID == update.updateID } ? nil : true }
        }
        guard consumed != nil else {
            throw EmulatorError(.timedOut, message: "update \(update.updateID) is still pending after \(timeout)")
        }
    }

    /// Updates waiting for delivery or for `getUpdates`.
    public var pendingUpdates: [Update] {
        state.withLock { $0.pending }
    }

    /// Every attempt to deliver an update to the webhook, oldest first.
    public var webhookDeliveries: [WebhookDelivery] {
        state.withLock { $0.deliveries }
    }

    /// The secret token and the uploaded certificate of the current webhook, if one is set.
    public var webhook: (url: String, secretToken: String?, certificate: UploadedFile?)? {
        state.withLock { state in state.webhook.map { ($0.url, $0.secretToken, $0.certificate) } }
    }

    /// How many calls were refused with 429 by the sending limits.
    public var tooManyRequestsCount: Int {
        state.withLock { $0.tooManyRequestsCount }
    }

    /// The parameters the bot answered a callback query with, or nil while it is unanswered.
    public func callbackAnswer(for queryID: String) -> JSONValue? {
        state.withLock { $0.callbackAnswers[queryID] }
    }
}
