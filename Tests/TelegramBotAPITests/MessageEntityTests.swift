import Testing

@testable import TelegramBotAPI

@Suite("Message entities")
struct MessageEntityTests {
    @Test func extractsByUTF16Offsets() {
        // 🏠 is two UTF-16 units, Cyrillic letters one each.
        let text = "🏠 Заявка /status@uk_bot R-1"
        let command = MessageEntity(type: .botCommand, offset: 10, length: 14)
        #expect(command.text(in: text) == "/status@uk_bot")
        let emoji = MessageEntity(type: .customEmoji, offset: 0, length: 2)
        #expect(emoji.text(in: text) == "🏠")
    }

    @Test func rejectsSpansOutsideOrInsideACharacter() {
        let text = "🏠ab"
        #expect(MessageEntity(type: .bold, offset: 1, length: 1).text(in: text) == nil)
        #expect(MessageEntity(type: .bold, offset: 3, length: 5).text(in: text) == nil)
        #expect(MessageEntity(type: .bold, offset: -1, length: 1).text(in: text) == nil)
    }

    @Test func unknownEntityTypeDecodes() throws {
        let update = try decodeUpdate(
            #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}, "text": "x", "entities": [{"type": "expandable_blockquote", "offset": 0, "length": 1}]}}"#
        )
        #expect(update.message?.entities?.first?.type == MessageEntity.Kind(rawValue: "expandable_blockquote"))
    }

    @Test func botCommandInGroup() {
        let chat = Chat(id: -5, type: .group)
        let text = "/request_status@UK_Bot   R-000981 "
        let message = Message(
            messageID: 1,
            chat: chat,
            date: 1,
            text: text,
            entities: [MessageEntity(type: .botCommand, offset: 0, length: 22)]
        )
        let command = message.botCommand
        #expect(command == BotCommand(name: "request_status", botUsername: "UK_Bot", arguments: "R-000981"))
        #expect(command?.isAddressed(to: "uk_bot") == true)
        #expect(command?.isAddressed(to: "other_bot") == false)
        let notLeading = Message(messageID: 2, chat: chat, date: 1, text: "see /help", entities: [MessageEntity(type: .botCommand, offset: 4, length: 5)])
        #expect(notLeading.botCommand == nil)
    }
}
