import TelegramBotAPI

/// A chat as a person sees it, and a way to follow every change: for the sandbox's chat page.
extension FakeTelegram {
    /// A bot's answer to a pressed inline button.
    public struct PressedButton: Sendable {
        /// The `callback_query` the press produced.
        public var query: CallbackQuery
        /// The `answerCallbackQuery` parameters (`text`, `show_alert`), or nil while unanswered.
        public var answer: JSONValue?
    }

    /// How many times the state changed so far: a point to wait after with ``waitForChange(after:timeout:)``.
    public var changeCount: Int {
        changes.generation
    }

    /// Waits until the state changes after `count` (an update, a call, a message), or `timeout` passes.
    ///
    /// - Returns: The change count now.
    public func waitForChange(after count: Int, timeout: Duration) async -> Int {
        await changes.value(before: .now + timeout) {
            let now = changes.generation
            return now == count ? nil : now
        } ?? changes.generation
    }

    /// Every message still in the chat, the people's and the bot's, oldest first, with the bot's
    /// edits applied (an edited one has `edit_date`).
    public func messages(inChat chatID: Int64) -> [Message] {
        state.withLock { state in
            (state.chats[chatID]?.messages.values).map { $0.sorted { $0.messageID < $1.messageID } } ?? []
        }
    }

    /// The bytes of a photo a user sent with data or the bot uploaded, by any size's `file_id`.
    public func fileData(_ fileID: String) -> [UInt8]? {
        state.withLock { $0.fileData[fileID] }
    }

    /// The inline buttons pressed in a chat and the bot's answers: by person, each person's in
    /// the order pressed.
    public func pressedButtons(inChat chatID: Int64) -> [PressedButton] {
        state.withLock { state in
            state.callbackQueries.values
                .filter { $0.message?.chat.id == chatID }
                .sorted { ($0.from.id, UInt64($0.id) ?? 0) < ($1.from.id, UInt64($1.id) ?? 0) }
                .map { PressedButton(query: $0, answer: state.callbackAnswers[$0.id]) }
        }
    }
}
