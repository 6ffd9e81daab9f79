import Foundation
import GatewayTestSupport
import Localization
import TelegramBotAPI
import TelegramEmulator

/// A scripted person talking to the gateway under test: each action sends
/// one update through the fake Telegram (and so over the real webhook) and
/// returns the bot's next message or edit in the chat.
struct Chatter: Sendable {
    let world: BotWorld
    let user: TelegramUser

    var id: Int64 { self.user.user.id }
    var chatID: Int64 { self.user.chat.id }
    /// The storage name of this person's conversation: the chat, or chat and member in a group.
    var conversation: String {
        ConversationKey(chatID: self.chatID, userID: self.user.chat.type.isGroup ? self.id : nil).description
    }
    /// The language the bot should answer in: the user's Telegram language unless a test says otherwise.
    private(set) var locale: LocaleCode

    init(world: BotWorld, user: TelegramUser) {
        self.world = world
        self.user = user
        self.locale = LocaleCode(user.user.languageCode ?? "en") ?? .en
    }

    /// The same person, expected to be answered in `language` (after choosing it with `/language`).
    func speaking(_ language: String) -> Chatter {
        var chatter = self
        chatter.locale = LocaleCode(language) ?? .en
        return chatter
    }

    /// Sends `/name arguments` (addressed as `/name@bot` when `addressed`) and returns the answer.
    @discardableResult
    func command(_ name: String, _ arguments: String = "", addressed: Bool = false) async throws -> BotMessageEvent {
        try await self.answer { self.user.sendCommand(name, arguments: arguments, addressedToBot: addressed) }
    }

    /// Sends a text message and returns the answer.
    @discardableResult
    func say(_ text: String) async throws -> BotMessageEvent {
        try await self.answer { self.user.send(text) }
    }

    /// Presses the button labelled `label` on the newest message that has one, or on message
    /// `messageID`, and returns the answer.
    @discardableResult
    func press(_ label: String, inMessage messageID: Int? = nil) async throws -> BotMessageEvent {
        try await self.answer { try self.user.press(label, inMessage: messageID) }
    }

    /// Sends a photo; returns the `file_id` of its largest size, which the bot keeps, and the answer.
    @discardableResult
    func sendPhoto() async throws -> (fileID: String, answer: BotMessageEvent) {
        var fileID = ""
        let answer = try await self.answer {
            let update = self.user.sendPhoto()
            fileID = update.message?.photo?.max { $0.width < $1.width }?.fileID ?? ""
            return update
        }
        return (fileID, answer)
    }

    /// Does `action` and waits for the bot's next send or edit in this chat.
    func answer(to action: () throws -> Update) async throws -> BotMessageEvent {
        let seen = self.world.telegram.lastSequence(inChat: self.chatID)
        let update = try action()
        do {
            return try await self.world.telegram.waitForBotMessage(chat: self.chatID, after: seen, timeout: .seconds(20))
        } catch {
            let calls = self.world.telegram.calls().filter { $0["chat_id"]?.intValue == self.chatID || $0["callback_query_id"] != nil }
            throw HarnessError("""
                no answer to update \(update.updateID) in chat \(self.chatID): \(error)
                Bot API calls for the chat or a callback: \(calls.suffix(12).map { "\($0.method) \($0.status)" })
                \(await self.world.redisDump())
                """)
        }
    }

    /// The text of `key` in this person's language.
    func text(_ key: String, _ arguments: [String: MessageArgument] = [:]) -> String {
        BotWorld.text(key, self.locale, arguments)
    }

    /// The main menu's title after `first` (a notice, or nothing), as one message says them.
    func withMenu(_ first: String) -> String {
        first + "\n\n" + self.text("menu.title")
    }

    /// A step's prompt after a notice, as one message says them.
    func notice(_ notice: String, then prompt: String) -> String {
        notice + "\n\n" + prompt
    }

    /// The applicant's main-menu buttons in this person's language.
    var applicantMenu: [[String]] {
        [
            [self.text("button.create_request"), self.text("button.my_requests")],
            [self.text("button.request_status"), self.text("button.language")],
        ]
    }
}

extension BotMessageEvent {
    /// The message's text (or caption), empty when it has none.
    var text: String { self.message.text ?? self.message.caption ?? "" }
}
