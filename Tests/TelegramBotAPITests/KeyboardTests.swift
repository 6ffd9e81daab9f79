import Foundation
import Testing

@testable import TelegramBotAPI

@Suite("Keyboards")
struct KeyboardTests {
    @Test func inlineKeyboardEncodesAsTelegramExpects() throws {
        let keyboard = try InlineKeyboardMarkup(rows: [
            [.callback("Create request", data: "menu:create"), .callback("My requests", data: "menu:mine")],
            [.url("Help", url: "https://example.org/help")],
            [InlineKeyboardButton(text: "Open", action: .webApp(url: "https://example.org/app"))],
            [InlineKeyboardButton(text: "Copy", action: .copyText("R-000981"))],
            [InlineKeyboardButton(text: "Share", action: .switchInlineQuery("R-1"))],
        ])
        try expectJSON(
            keyboard,
            equals: """
                {"inline_keyboard": [
                  [{"text": "Create request", "callback_data": "menu:create"}, {"callback_data": "menu:mine", "text": "My requests"}],
                  [{"text": "Help", "url": "https://example.org/help"}],
                  [{"text": "Open", "web_app": {"url": "https://example.org/app"}}],
                  [{"text": "Copy", "copy_text": {"text": "R-000981"}}],
                  [{"text": "Share", "switch_inline_query": "R-1"}]]}
                """
        )
        try expectJSON(ReplyMarkup.inlineKeyboard(keyboard), equals: String(decoding: JSONEncoder().encode(keyboard), as: UTF8.self))
    }

    @Test func callbackDataIsCountedInUTF8Bytes() throws {
        let ascii64 = String(repeating: "a", count: 64)
        #expect(try InlineKeyboardButton.callback("A", data: ascii64).action == .callbackData(ascii64))
        #expect(throws: KeyboardError.self) { try InlineKeyboardButton.callback("A", data: ascii64 + "a") }

        // 33 Cyrillic letters: 33 characters, 66 bytes.
        let cyrillic = String(repeating: "ж", count: 33)
        #expect(cyrillic.count == 33)
        let error = try #require(throws: KeyboardError.self) { try InlineKeyboardButton.callback("Сантехника", data: cyrillic) }
        #expect(error.code == .callbackDataLength)
        #expect(error.buttonText == "Сантехника")
        #expect(error.description.contains("66 bytes"))
        #expect(try InlineKeyboardButton.callback("Ж", data: String(repeating: "ж", count: 32)).text == "Ж")

        // 16 four-byte emoji are 64 bytes; one more is too many.
        #expect(throws: Never.self) { try InlineKeyboardButton.callback("E", data: String(repeating: "😀", count: 16)) }
        #expect(throws: KeyboardError.self) { try InlineKeyboardButton.callback("E", data: String(repeating: "😀", count: 17)) }
        // One family emoji is a single character of 25 bytes.
        let family = "👨‍👩‍👧‍👦"
        #expect(family.count == 1 && family.utf8.count == 25)
        #expect(throws: KeyboardError.self) { try InlineKeyboardButton.callback("F", data: String(repeating: family, count: 3)) }

        #expect(throws: KeyboardError.self) { try InlineKeyboardButton.callback("Empty", data: "") }
        let emptyLabel = try #require(throws: KeyboardError.self) { try InlineKeyboardButton.callback("", data: "x") }
        #expect(emptyLabel.code == .emptyText)
    }

    @Test func replyKeyboardEncodes() throws {
        let keyboard = ReplyKeyboardMarkup(
            keyboard: [[.contactRequest("Share phone"), .locationRequest("Share location")], [KeyboardButton(text: "Cancel")]],
            isPersistent: true,
            resizeKeyboard: true,
            oneTimeKeyboard: true,
            inputFieldPlaceholder: "Choose",
            selective: false
        )
        try expectJSON(
            ReplyMarkup.replyKeyboard(keyboard),
            equals: """
                {"keyboard": [[{"text": "Share phone", "request_contact": true}, {"text": "Share location", "request_location": true}],
                              [{"text": "Cancel"}]],
                 "is_persistent": true, "resize_keyboard": true, "one_time_keyboard": true,
                 "input_field_placeholder": "Choose", "selective": false}
                """
        )
    }

    @Test func removeAndForceReplyEncode() throws {
        try expectJSON(ReplyMarkup.removeKeyboard(ReplyKeyboardRemove()), equals: #"{"remove_keyboard": true}"#)
        try expectJSON(ReplyMarkup.removeKeyboard(ReplyKeyboardRemove(selective: true)), equals: #"{"remove_keyboard": true, "selective": true}"#)
        try expectJSON(ReplyMarkup.forceReply(ForceReply(inputFieldPlaceholder: "Address")), equals: #"{"force_reply": true, "input_field_placeholder": "Address"}"#)
    }

    @Test func replyMarkupRoundTrips() throws {
        let markups: [ReplyMarkup] = [
            .inlineKeyboard(try InlineKeyboardMarkup(rows: [[.callback("A", data: "a")]])),
            .replyKeyboard(ReplyKeyboardMarkup(keyboard: [[KeyboardButton(text: "B")]], resizeKeyboard: true)),
            .removeKeyboard(ReplyKeyboardRemove(selective: true)),
            .forceReply(ForceReply(selective: true)),
        ]
        for markup in markups {
            #expect(try JSONDecoder().decode(ReplyMarkup.self, from: JSONEncoder().encode(markup)) == markup)
        }
    }

    @Test func unsupportedButtonCannotBeEncoded() throws {
        let button = try JSONDecoder().decode(InlineKeyboardButton.self, from: Data(#"{"text": "Pay", "pay": true}"#.utf8))
        #expect(button.action == .unsupported)
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(button) }
    }
}
