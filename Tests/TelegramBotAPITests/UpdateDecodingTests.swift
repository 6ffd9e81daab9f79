import Foundation
import GatewayTestSupport
import Testing

@testable import TelegramBotAPI

@Suite("Decoding updates")
struct UpdateDecodingTests {
    @Test func privateTextMessageWithCommand() throws {
        let update = try decodeUpdate(
            """
            {"update_id": 10000,
             "message": {"message_id": 1365, "date": 1441645532,
               "from": {"id": 1111111, "is_bot": false, "first_name": "Test", "last_name": "Lastname",
                        "username": "Test", "language_code": "en", "is_premium": true},
               "chat": {"id": 1111111, "type": "private", "first_name": "Test", "username": "Test"},
               "text": "/start deep-link", "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
               "some_future_field": {"nested": [1, 2, 3]}}}
            """
        )
        #expect(update.updateID == 10000)
        let message = try #require(update.message)
        #expect(message.messageID == 1365)
        #expect(message.chat.type == .private)
        #expect(message.from?.languageCode == "en")
        #expect(message.entities?.first?.type == .botCommand)
        #expect(message.botCommand == BotCommand(name: "start", arguments: "deep-link"))
        #expect(update.chat?.id == 1_111_111)
        #expect(update.from?.firstName == "Test")
        #expect(update.conversationKey == ConversationKey(chatID: 1_111_111))
    }

    @Test func everyHandledKind() throws {
        let chat = #"{"id": -1001234567890, "type": "supergroup", "title": "Block 4", "is_forum": true}"#
        let user = #"{"id": 42, "is_bot": false, "first_name": "Aziz"}"#
        let message = #"{"message_id": 7, "date": 1700000000, "chat": \#(chat), "from": \#(user), "text": "hi"}"#
        let member = """
            {"chat": \(chat), "from": \(user), "date": 1700000001,
             "old_chat_member": {"status": "left", "user": \(user)},
             "new_chat_member": {"status": "member", "user": \(user)}}
            """
        let cases: [(String, (Update.Kind) -> Bool)] = [
            (#""message": \#(message)"#, { if case .message = $0 { true } else { false } }),
            (#""edited_message": \#(message)"#, { if case .editedMessage = $0 { true } else { false } }),
            (#""channel_post": \#(message)"#, { if case .channelPost = $0 { true } else { false } }),
            (
                #""callback_query": {"id": "4382", "from": \#(user), "message": \#(message), "chat_instance": "-53", "data": "cat:plumbing"}"#,
                { if case .callbackQuery(let query) = $0 { query.data == "cat:plumbing" } else { false } }
            ),
            (
                #""inline_query": {"id": "9", "from": \#(user), "query": "req", "offset": "", "chat_type": "sender"}"#,
                { if case .inlineQuery(let query) = $0 { query.query == "req" } else { false } }
            ),
            (#""my_chat_member": \#(member)"#, { if case .myChatMember = $0 { true } else { false } }),
            (
                #""chat_member": \#(member)"#,
                { if case .chatMember(let change) = $0 { change.newChatMember.isInChat && !change.oldChatMember.isInChat } else { false } }
            ),
        ]
        for (body, matches) in cases {
            let update = try decodeUpdate(#"{"update_id": 5, \#(body)}"#)
            #expect(matches(update.kind), "\(body)")
            if case .inlineQuery = update.kind {
                #expect(update.conversationKey == ConversationKey(chatID: 42))
            } else {
                #expect(update.conversationKey == ConversationKey(chatID: -1_001_234_567_890, userID: 42))
            }
        }
    }

    @Test func unknownKindKeepsUpdateID() throws {
        let update = try decodeUpdate(#"{"update_id": 77, "business_connection": {"id": "x", "anything": [true]}}"#)
        #expect(update.updateID == 77)
        #expect(update.kind == .unsupported("business_connection"))
        #expect(update.chat == nil)
        #expect(update.conversationKey == nil)
        #expect(try decodeUpdate(#"{"update_id": 78}"#).kind == .unsupported(nil))
    }

    @Test func unknownChatTypeIsTolerated() throws {
        let update = try decodeUpdate(
            #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "galaxy"}, "from": {"id": 6, "is_bot": false, "first_name": "A"}}}"#
        )
        #expect(update.chat?.type == Chat.Kind(rawValue: "galaxy"))
        #expect(update.conversationKey == ConversationKey(chatID: 5))
    }

    @Test func channelPostIsOneConversation() throws {
        let update = try decodeUpdate(
            #"{"update_id": 1, "channel_post": {"message_id": 1, "date": 1, "chat": {"id": -100777, "type": "channel", "title": "News"}, "sender_chat": {"id": -100777, "type": "channel"}, "text": "news"}}"#
        )
        #expect(update.from == nil)
        #expect(update.message?.senderChat?.id == -100_777)
        #expect(update.conversationKey == ConversationKey(chatID: -100_777))
    }

    @Test func mediaContactLocationAndReply() throws {
        let update = try decodeUpdate(
            """
            {"update_id": 2, "message": {"message_id": 20, "date": 1700000000, "message_thread_id": 3,
              "chat": {"id": 9, "type": "private"}, "from": {"id": 9, "is_bot": false, "first_name": "R"},
              "photo": [{"file_id": "small", "file_unique_id": "s1", "width": 90, "height": 67, "file_size": 1200},
                        {"file_id": "big", "file_unique_id": "b1", "width": 1280, "height": 960}],
              "caption": "leak", "caption_entities": [{"type": "hashtag", "offset": 0, "length": 4}],
              "contact": {"phone_number": "+998901234567", "first_name": "R", "user_id": 9},
              "location": {"latitude": 41.311081, "longitude": 69.240562, "horizontal_accuracy": 12.5},
              "reply_markup": {"inline_keyboard": [[{"text": "Skip", "callback_data": "skip"}, {"text": "Site", "url": "https://example.org"}, {"text": "Game", "callback_game": {}}]]},
              "reply_to_message": {"message_id": 19, "date": 1699999999, "chat": {"id": 9, "type": "private"}, "text": "Send a photo"}}}
            """
        )
        let message = try #require(update.message)
        #expect(message.photo?.last?.fileID == "big")
        #expect(message.photo?.first?.fileSize == 1200)
        #expect(message.contact?.userID == 9)
        #expect(message.location?.latitude == 41.311081)
        #expect(message.messageThreadID == 3)
        #expect(message.replyToMessage?.messageID == 19)
        #expect(message.replyToMessage?.text == "Send a photo")
        #expect(message.replyMarkup?.rows.first?.map(\.action) == [.callbackData("skip"), .url("https://example.org"), .unsupported])
    }

    @Test func inaccessibleCallbackMessage() throws {
        let update = try decodeUpdate(
            #"{"update_id": 3, "callback_query": {"id": "q", "from": {"id": 8, "is_bot": false, "first_name": "U"}, "chat_instance": "c", "data": "confirm", "message": {"message_id": 4, "date": 0, "chat": {"id": 8, "type": "private"}}}}"#
        )
        guard case .callbackQuery(let query) = update.kind else {
            Issue.record("expected a callback query")
            return
        }
        #expect(query.message == .inaccessible(InaccessibleMessage(chat: Chat(id: 8, type: .private), messageID: 4)))
        #expect(update.message == nil)
        #expect(update.chat?.id == 8)
        #expect(update.conversationKey == ConversationKey(chatID: 8))
    }

    @Test func inlineMessageCallbackBelongsToTheUser() throws {
        let update = try decodeUpdate(
            #"{"update_id": 3, "callback_query": {"id": "q", "from": {"id": 8, "is_bot": false, "first_name": "U"}, "chat_instance": "c", "inline_message_id": "AAA"}}"#
        )
        #expect(update.chat == nil)
        #expect(update.conversationKey == ConversationKey(chatID: 8))
    }

    @Test func roundTripsThroughCodable() throws {
        let original = try decodeUpdate(
            #"{"update_id": 4, "message": {"message_id": 2, "date": 3, "chat": {"id": 1, "type": "group", "title": "G"}, "from": {"id": 5, "is_bot": false, "first_name": "F"}, "text": "x", "reply_to_message": {"message_id": 1, "date": 2, "chat": {"id": 1, "type": "group"}}}}"#
        )
        let again = try JSONDecoder().decode(Update.self, from: JSONEncoder().encode(original))
        #expect(again == original)
    }

    @Test func responseEnvelope() throws {
        let ok = try JSONDecoder().decode(
            BotAPIResponse<Message>.self,
            from: Data(#"{"ok": true, "result": {"message_id": 5, "date": 1, "chat": {"id": 1, "type": "private"}}}"#.utf8)
        )
        #expect(ok.ok && ok.result?.messageID == 5)
        let limited = try JSONDecoder().decode(
            BotAPIResponse<Bool>.self,
            from: Data(#"{"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 7", "parameters": {"retry_after": 7}}"#.utf8)
        )
        #expect(limited.errorCode == 429)
        #expect(limited.parameters == ResponseParameters(retryAfter: 7))
        let migrated = try JSONDecoder().decode(
            BotAPIResponse<Bool>.self,
            from: Data(#"{"ok": false, "error_code": 400, "description": "Bad Request: group chat was upgraded", "parameters": {"migrate_to_chat_id": -1001234567890}}"#.utf8)
        )
        #expect(migrated.parameters?.migrateToChatID == -1_001_234_567_890)
    }
}

@Suite("Rejecting malformed updates")
struct UpdateDecodingErrorTests {
    @Test func wrongTypeNamesThePath() throws {
        let error = try decodingError(#"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": "12", "type": "private"}}}"#)
        #expect(error.code == .typeMismatch)
        #expect(error.path == "message.chat.id")
        #expect(error.message == "message.chat.id: expected an integer")
    }

    @Test func missingUpdateID() throws {
        let error = try decodingError(#"{"message": {"message_id": 1}}"#)
        #expect(error.code == .missingField)
        #expect(error.message == "update_id: missing")
    }

    @Test func missingNestedFieldAndArrayIndex() throws {
        let error = try decodingError(
            #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 1, "type": "private"}, "entities": [{"type": "url", "offset": 0, "length": 3}, {"type": "url", "offset": 4}]}}"#
        )
        #expect(error.code == .missingField)
        #expect(error.path == "message.entities[1].length")
    }

    @Test func nullWhereValueRequired() throws {
        let error = try decodingError(#"{"update_id": null}"#)
        #expect(error.code == .typeMismatch)
        #expect(error.message == "update_id: expected an integer, found null")
    }

    @Test func invalidJSONReportsByte() throws {
        let error = try decodingError(#"{"update_id": 1, "x": tru}"#)
        #expect(error.code == .invalidJSON)
        #expect(error.byteOffset == 22)
        #expect(error.message == "invalid JSON at byte 22: expected true")
        #expect(try decodingError(#"{"update_id": 1,}"#).byteOffset == 16)
        #expect(try decodingError(#"{"update_id": 1} x"#).code == .invalidJSON)
        #expect(try decodingError("").code == .invalidJSON)
        #expect(try decodingError("{\"update_id\": 1, \"t\": \"a\u{01}\"}").code == .invalidJSON)
    }

    @Test func invalidUTF8() {
        var bytes = Array(#"{"update_id": 1, "t": "ab"}"#.utf8)
        bytes[23] = 0xC3
        bytes[24] = 0x28
        let error = decodingError(Data(bytes))
        #expect(error.code == .invalidUTF8)
        #expect(error.byteOffset == 23)
        #expect(error.message == "invalid UTF-8 at byte 23")
    }

    @Test func invalidUTF8IsReportedWhereAScalarByScalarDecoderStops() {
        // Truncated, overlong, surrogate, out-of-range and stray bytes among valid ones.
        let pieces: [[UInt8]] = [
            [0x61], Array("ё".utf8), Array("🚰".utf8), Array("€".utf8), [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x9A],
            [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xFF], [0xF8],
        ]
        var random = SeededRandom(seed: 31)
        for _ in 0..<2000 {
            let text = (0..<Int.random(in: 1...6, using: &random)).flatMap { _ in pieces.randomElement(using: &random)! }
            let prefix = Array(#"{"update_id": 1, "t": ""#.utf8)
            var iterator = text.makeIterator()
            var parser = Unicode.UTF8.ForwardParser()
            var offset = 0
            var expected: Int?
            decoding: while true {
                switch parser.parseScalar(from: &iterator) {
                case .valid(let scalar): offset += scalar.count
                case .error:
                    expected = prefix.count + offset
                    break decoding
                case .emptyInput: break decoding
                }
            }
            guard let expected else { continue }
            let error = decodingError(Data(prefix + text + Array(#""}"#.utf8)))
            #expect(error.code == .invalidUTF8 && error.byteOffset == expected, "\(text)")
        }
    }

    @Test func bodyNotAnObject() throws {
        for body in ["[1, 2]", "42", #""update""#, "null"] {
            #expect(try decodingError(body).code == .notAnObject, "\(body)")
        }
    }

    @Test func nestingTooDeep() throws {
        let deep = #"{"update_id": 1, "x": "# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        let error = try decodingError(deep)
        #expect(error.code == .nestingTooDeep)
        let shallow = #"{"update_id": 1, "x": "# + String(repeating: "[", count: 60) + String(repeating: "]", count: 60) + "}"
        #expect(try decodeUpdate(shallow).updateID == 1)
        let configured = UpdateDecoder(maximumDepth: 2)
        #expect(throws: UpdateDecodingError.self) { try configured.decode(Data(#"{"update_id": 1, "a": {"b": {}}}"#.utf8)) }
        #expect(try configured.decode(Data(#"{"update_id": 1, "a": {"b": 1}}"#.utf8)).updateID == 1)
        #expect(try Update.decode(from: Array(#"{"update_id": 3}"#.utf8)).updateID == 3)
        // Brackets inside strings are text, not nesting.
        let inString = #"{"update_id": 2, "x": ""# + String(repeating: "[{", count: 100) + #""}"#
        #expect(try decodeUpdate(inString).updateID == 2)
    }

    @Test func hugeIntegerIsOutOfRange() throws {
        let error = try decodingError(#"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 99999999999999999999, "type": "private"}}}"#)
        #expect(error.code == .numberOutOfRange)
        #expect(error.message == "message.chat.id: integer out of the 64-bit range")
        #expect(try decodeUpdate(#"{"update_id": 1, "n": -9223372036854775808}"#).updateID == 1)
    }

    @Test func fractionInIntegerField() throws {
        let error = try decodingError(
            #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 1.5, "type": "private"}, "location": {"latitude": 1.5, "longitude": 2.5}}}"#
        )
        #expect(error.code == .numberOutOfRange)
        #expect(error.path == "message.chat.id")
    }

    @Test func escapedKeysStillNamePaths() throws {
        let error = try decodingError(#"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 123456789012345678901, "type": "private"}, "\u00e9": 1}}"#)
        #expect(error.path == "message.chat.id")
        let escaped = try decodingError(#"{"update_id": 1, "caf\u00e9\n": 99999999999999999999}"#)
        #expect(escaped.path == "café\n")
    }
}
