public import Conversations
public import Gateway
public import Localization
public import TelegramBotAPI

/// One update being handled by a ``ConversationBot``: what came in, the
/// conversation's state as it changes, and the reply being put together.
/// A bot's command, button and service handlers work on it in place.
public struct ConversationTurn: Sendable {
    /// The update being handled.
    public let update: Update
    /// Its chat.
    public let chat: Chat
    /// The user who sent it.
    public let user: User
    /// What the gateway and the middleware know about it.
    public let context: UpdateContext
    /// The language answers are worded in; switches when the user changes theirs.
    public var texts: Localizer
    /// The answer being put together.
    public var reply: ConversationReply
    /// Calls made besides the reply, such as a user's own command menu.
    public var extraCalls: [OutboundCall] = []
    /// The conversation's state as the step has left it so far.
    public private(set) var state: ConversationState?
    private let stored: ConversationState?
    let mainMenu: MenuKeyboard

    init(update: Update, chat: Chat, user: User, context: UpdateContext, texts: Localizer, stored: ConversationState?, mainMenu: MenuKeyboard) {
        self.update = update
        self.chat = chat
        self.user = user
        self.context = context
        self.texts = texts
        self.reply = ConversationReply(update: update, chatID: chat.id)
        self.state = stored
        self.stored = stored
        self.mainMenu = mainMenu
    }

    /// The user's roles, as the bot's identity middleware found them.
    public var roles: Set<String> { self.context.identity?.roles ?? [] }

    /// In a group, only commands addressed to this bot (`/cmd@bot`) count.
    func isAddressedToUs(_ command: BotCommand, username: String?) -> Bool {
        guard self.chat.type.isGroup else { return true }
        guard let addressed = command.botUsername else { return false }
        return username.map { $0.lowercased() == addressed.lowercased() } ?? true
    }

    mutating func apply(_ state: ConversationState?) {
        self.state = state
    }

    /// Ends whatever flow was running, as `/start` and `/menu` do.
    public mutating func leaveFlow() {
        self.state = nil
    }

    /// Says the main menu's title and shows it, with the entries the user's roles open.
    public mutating func showMainMenu() {
        self.reply.say(self.texts.text("menu.title"))
        self.reply.show(self.mainMenu.keyboard(roles: self.roles, texts: self.texts))
    }

    mutating func render(_ actions: [FlowAction]) {
        for action in actions {
            switch action {
            case .show(let screen):
                var text = self.text(screen.prompt)
                if let previous = screen.previous?.string, !previous.isEmpty {
                    text += "\n\n" + self.texts.text("common.previous_input", ["value": .string(previous)])
                }
                self.reply.say(text)
                self.reply.show(self.keyboard(screen.buttons))
            case .notice(let prompt):
                self.reply.say(self.text(prompt))
            case .call:
                break
            case .finished(let prompt):
                if let prompt { self.reply.say(self.text(prompt)) }
                self.showMainMenu()
            case .expired:
                if self.chat.type.isGroup {
                    // The pressed message may be another member's screen: leave it to them.
                    self.reply.keepPressedMessage()
                }
                self.reply.say(self.texts.text("conversation.expired"))
                self.showMainMenu()
            }
        }
    }

    /// A flow prompt in the user's language, its arguments filled in.
    public func text(_ prompt: Prompt) -> String {
        var arguments: [String: MessageArgument] = [:]
        for (name, argument) in prompt.arguments {
            switch argument {
            case .value(.int(let number)): arguments[name] = .int(number)
            case .value(let value): arguments[name] = .string(value.string ?? "")
            case .key(let key): arguments[name] = .string(self.texts.text(key))
            case .data, .count, .dataKey: break
            }
        }
        return self.texts.text(prompt.key, arguments)
    }

    private func keyboard(_ rows: [[ScreenButton]]) -> InlineKeyboardMarkup? {
        let markup = rows.map { row in
            row.compactMap { button -> InlineKeyboardButton? in
                let label = switch button.label {
                case .key(let key): self.texts.text(key)
                case .text(let text): text
                }
                return try? InlineKeyboardButton.callback(label, data: button.callbackData)
            }
        }.filter { !$0.isEmpty }
        return markup.isEmpty ? nil : InlineKeyboardMarkup(rows: markup)
    }

    /// The step's result: the state change the turn made, and the reply.
    func outcome() -> StepOutcome {
        let change: StepOutcome.StateChange
        switch (self.stored, self.state) {
        case (_, nil): change = self.stored == nil ? .keep : .clear
        case (let before, let after?): change = before == after ? .keep : .set(after.encoded())
        }
        return StepOutcome(state: change, replies: self.reply.calls() + self.extraCalls)
    }
}
