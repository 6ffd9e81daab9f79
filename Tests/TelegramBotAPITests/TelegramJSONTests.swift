import FastJSON
import Foundation
import GatewayTestSupport
import Testing

@testable import TelegramBotAPI

/// The hand-written readers of updates and Bot API answers against
/// `JSONDecoder`: the usual shapes are read by hand and read the same; what
/// the readers do not take (and every random mutation they do take) is
/// decided as `JSONDecoder` decides it.
@Suite("Hand-written Telegram JSON")
struct TelegramJSONTests {
    static let user = #"{"id": 1111111, "is_bot": false, "first_name": "Тест \"Q\"", "last_name": "Lastname", "username": "t", "language_code": "uz", "is_premium": true, "added_to_attachment_menu": true}"#
    static let chat = #"{"id": -1001234567890, "type": "supergroup", "title": "Block 4 🚰", "is_forum": true, "photo": {"small_file_id": "x"}}"#
    static let keyboard = #"{"inline_keyboard": [[{"text": "Skip", "callback_data": "skip"}, {"text": "Site", "url": "https://example.org", "callback_data": "first"}], [{"text": "Game", "callback_game": {}}, {"text": "Q", "switch_inline_query": "q"}, {"text": "H", "switch_inline_query_current_chat": ""}]]}"#
    static let message = """
        {"message_id": 1365, "date": 1441645532, "message_thread_id": 3, "from": \(user), "chat": \(chat),
         "text": "/start deep-link\\n\\u0451\\ud83d\\ude80", "entities": [{"type": "bot_command", "offset": 0, "length": 6},
           {"type": "text_mention", "offset": 7, "length": 4, "user": \(user)}, {"type": "text_link", "offset": 1, "length": 1, "url": "u"},
           {"type": "pre", "offset": 0, "length": 1, "language": "swift"}, {"type": "custom_emoji", "offset": 0, "length": 2, "custom_emoji_id": "5"}],
         "link_preview_options": {"is_disabled": true}, "some_future_field": {"nested": [1, -2, [], {}, null, "\\u00e9"]},
         "reply_markup": \(keyboard)}
        """

    /// Bodies of the shapes the readers take, each with fields they skip.
    static let taken: [String] = [
        #"{"update_id": 10000, "message": \#(message)}"#,
        #"{"message": \#(message), "update_id": 1}"#,
        #"{"update_id": 2, "edited_message": {"message_id": 2, "date": 3, "edit_date": 4, "chat": {"id": 1, "type": "group", "title": "G"}, "from": {"id": 5, "is_bot": false, "first_name": "F"}, "text": "x", "reply_to_message": \#(message)}}"#,
        #"{"update_id": 3, "channel_post": {"message_id": 1, "date": 1, "chat": {"id": -100777, "type": "channel", "title": "News"}, "sender_chat": {"id": -100777, "type": "channel"}, "text": "news"}}"#,
        """
        {"update_id": 4, "message": {"message_id": 20, "date": 1700000000, "chat": {"id": 9, "type": "private"},
          "from": {"id": 9, "is_bot": false, "first_name": "R"},
          "photo": [{"file_id": "small", "file_unique_id": "s1", "width": 90, "height": 67, "file_size": 1200},
                    {"file_id": "big", "file_unique_id": "b1", "width": 1280, "height": 960}],
          "caption": "leak", "caption_entities": [{"type": "hashtag", "offset": 0, "length": 4}],
          "contact": {"phone_number": "+998901234567", "first_name": "R", "last_name": "L", "user_id": 9, "vcard": "V"}}}
        """,
        #"{"update_id": 5, "callback_query": {"id": "4382", "from": \#(user), "message": \#(message), "chat_instance": "-53", "data": "cat:plumbing"}}"#,
        #"{"update_id": 6, "callback_query": {"id": "q", "from": \#(user), "chat_instance": "c", "data": "confirm", "message": {"message_id": 4, "date": 0, "chat": {"id": 8, "type": "private"}}}}"#,
        #"{"update_id": 7, "callback_query": {"id": "q", "from": \#(user), "chat_instance": "c", "inline_message_id": "AAA", "game_short_name": "g"}}"#,
        "\t{ \"update_id\" : 8 ,\r\n \"message\" : { \"message_id\" : -0 , \"date\" : 1 , \"chat\" : { \"id\" : 5 , \"type\" : \"galaxy\" } } } \n",
        #"{"update_id": 9, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}, "text": "\u0074\/"}, "\u0075nknown": 1}"#,
    ]

    /// Bodies `JSONDecoder` reads (or refuses) and the readers leave to it.
    static let leftToJSONDecoder: [String] = [
        #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}, "location": {"latitude": 41.3, "longitude": 69.2}}}"#,
        #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}, "reply_markup": {"inline_keyboard": [[{"text": "W", "web_app": {"url": "https://a"}}]]}}}"#,
        #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}, "text": null}}"#,
        #"{"update_id": 1, "message": {"message_id": 1, "message_id": 2, "date": 1, "chat": {"id": 5, "type": "private"}}}"#,
        #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}, "extra": 1.5}}"#,
        #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}}, "callback_query": {"id": "q"}}"#,
        #"{"update_id": 1, "inline_query": {"id": "9", "from": {"id": 1, "is_bot": false, "first_name": "A"}, "query": "req", "offset": ""}}"#,
        #"{"update_id": 77, "business_connection": {"id": "x"}}"#,
        #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}, "reply_to_message": {"message_id": 2, "date": 1, "chat": {"id": 5, "type": "private"}, "reply_to_message": {"message_id": 3, "date": 1, "chat": {"id": 5, "type": "private"}}}}}"#,
        #"{"update_id": 1.0, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}}}"#,
        #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": "5", "type": "private"}}}"#,
        #"{"update_id": 1, "message": {"message_id": 1, "chat": {"id": 5, "type": "private"}}}"#,
        #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}, "text": "\ud800"}}"#,
        #"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}}} x"#,
    ]

    static func foundation(_ bytes: [UInt8]) -> Update? {
        try? JSONDecoder().decode(Update.self, from: Data(bytes))
    }

    static func byHand(_ bytes: [UInt8]) -> Update? {
        JSONCursor.read(bytes, TelegramJSON.update)
    }

    /// Whether the webhook's pre-scan passes `bytes`: it must pass whatever
    /// the hand-written reader takes, which runs first and stands in for it.
    static func preflightPasses(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var preflight = JSONPreflight(bytes: raw, maximumDepth: JSONCursor.maximumDepth)
            return (try? preflight.run()) != nil
        }
    }

    @Test(arguments: Self.taken)
    func theUsualShapesAreReadByHandAsJSONDecoderReadsThem(body: String) throws {
        let bytes = Array(body.utf8)
        let read = try #require(Self.byHand(bytes))
        #expect(read == Self.foundation(bytes))
        #expect(Self.preflightPasses(bytes))
        #expect(try Update.decode(from: bytes) == read)
    }

    @Test(arguments: Self.leftToJSONDecoder)
    func whatTheReaderDoesNotTakeJSONDecoderDecides(body: String) {
        let bytes = Array(body.utf8)
        #expect(Self.byHand(bytes) == nil)
        #expect((try? Update.decode(from: bytes)) == Self.foundation(bytes))
    }

    @Test func nestingIsCountedFromTheUpdateAsThePreScanCountsIt() throws {
        // The update is level 1 and its message level 2: 62 more levels fit.
        func body(extraLevels: Int) -> [UInt8] {
            let nested = String(repeating: "[", count: extraLevels) + String(repeating: "]", count: extraLevels)
            return Array(#"{"update_id": 1, "message": {"message_id": 1, "date": 1, "chat": {"id": 5, "type": "private"}, "x": \#(nested)}}"#.utf8)
        }
        let deepest = body(extraLevels: JSONCursor.maximumDepth - 2)
        #expect(Self.byHand(deepest) != nil)
        #expect(Self.preflightPasses(deepest))
        let tooDeep = body(extraLevels: JSONCursor.maximumDepth - 1)
        #expect(Self.byHand(tooDeep) == nil)
        #expect(decodingError(Data(tooDeep)).code == .nestingTooDeep)
    }

    @Test func theValuesReadAreTheOnesSent() throws {
        let update = try #require(Self.byHand(Array(Self.taken[0].utf8)))
        let message = try #require(update.message)
        #expect(message.text == "/start deep-link\nё🚀")
        #expect(message.from?.firstName == "Тест \"Q\"")
        #expect(message.chat.id == -1_001_234_567_890)
        #expect(message.entities?.map(\.type) == [.botCommand, .textMention, .textLink, .pre, .customEmoji])
        #expect(message.replyMarkup?.rows.flatMap { $0.map(\.action) } == [
            .callbackData("skip"), .callbackData("first"), .unsupported, .switchInlineQuery("q"), .switchInlineQueryCurrentChat(""),
        ])
        let inaccessible = try #require(Self.byHand(Array(Self.taken[6].utf8)))
        guard case .callbackQuery(let query) = inaccessible.kind else {
            Issue.record("expected a callback query")
            return
        }
        #expect(query.message == .inaccessible(InaccessibleMessage(chat: Chat(id: 8, type: .private), messageID: 4)))
    }

    @Test func everyTruncationAndRandomMutationIsReadAsJSONDecoderReadsItOrLeftToIt() {
        var random = SeededRandom(seed: 11)
        var accepted = 0
        for body in Self.taken {
            let original = Array(body.utf8)
            for length in 0..<original.count where Self.byHand(Array(original[..<length])) != nil {
                // A cut after the closing brace only drops trailing whitespace.
                #expect(original[length...].allSatisfy { [0x20, 0x0A, 0x0D, 0x09].contains($0) })
            }
            for _ in 0..<600 {
                let bytes = random.mutated(original)
                guard let read = Self.byHand(bytes) else { continue }
                accepted += 1
                #expect(read == Self.foundation(bytes), "\(String(decoding: bytes, as: UTF8.self))")
                #expect(Self.preflightPasses(bytes), "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(accepted > 1000)
    }

    @Test func aSuccessfulAnswerIsReadByHandAsJSONDecoderReadsIt() throws {
        let sent = Array(#"{"ok":true,"result":\#(Self.message)}"#.utf8)
        let message = try #require(JSONCursor.read(sent) { TelegramJSON.success(&$0, Message.read) })
        #expect(message == (try JSONDecoder().decode(BotAPIResponse<Message>.self, from: Data(sent)).result))
        #expect(JSONCursor.read(Array(#"{"result":true,"ok":true}"#.utf8)) { TelegramJSON.success(&$0, Bool.read) } == true)
        let inline = JSONCursor.read(Array(#"{"ok":true,"result":true}"#.utf8)) { TelegramJSON.success(&$0, EditedMessage.read) }
        #expect(inline == .inlineMessage)
        let edited = JSONCursor.read(sent) { TelegramJSON.success(&$0, EditedMessage.read) }
        #expect(edited == .message(message))
    }

    @Test(arguments: [
        #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 3","parameters":{"retry_after":3}}"#,
        #"{"ok":true,"result":true,"description":"Webhook was set"}"#,
        #"{"ok":true}"#,
        #"{"ok":true,"result":false}"#,
        #"{"ok":true,"ok":true,"result":true}"#,
        #"{"ok":true,"result":{"message_id":1}}"#,
    ])
    func anyOtherAnswerIsLeftToJSONDecoder(body: String) {
        let bytes = Array(body.utf8)
        #expect(JSONCursor.read(bytes) { TelegramJSON.success(&$0, EditedMessage.read) } == nil)
    }
}

/// The hand-written Bot API bodies against `JSONEncoder`'s: the same JSON
/// value (`JSONEncoder` writes keys in no fixed order), and every string
/// escaped byte for byte as it escapes it.
@Suite("Hand-written Bot API bodies")
struct TelegramBodyJSONTests {
    static let alphabet: [Character] = [
        "a", "Z", "0", " ", "_", "/", "\"", "\\", "<", "&", "\n", "\r", "\t", "\u{1}", "\u{8}", "\u{C}", "\u{1F}", "\u{7F}",
        "ё", "Ж", "ʻ", "€", "\u{2028}", "🚰", "👩‍🔧",
    ]

    static func text(_ random: inout SeededRandom, maximum: Int = 16) -> String {
        String((0..<Int.random(in: 1...maximum, using: &random)).map { _ in Self.alphabet.randomElement(using: &random)! })
    }

    static func maybe<Value>(_ random: inout SeededRandom, _ make: (inout SeededRandom) -> Value) -> Value? {
        Bool.random(using: &random) ? make(&random) : nil
    }

    static func inlineKeyboard(_ random: inout SeededRandom) -> InlineKeyboardMarkup {
        InlineKeyboardMarkup(rows: (0..<Int.random(in: 0...3, using: &random)).map { _ in
            (0..<Int.random(in: 0...3, using: &random)).map { _ in
                let label = Self.text(&random)
                let actions: [InlineKeyboardButton.Action] = [
                    .callbackData(Self.text(&random)), .url("https://example.org/" + Self.text(&random)), .webApp(url: Self.text(&random)),
                    .switchInlineQuery(Self.text(&random)), .switchInlineQueryCurrentChat(""), .copyText(Self.text(&random)),
                ]
                return InlineKeyboardButton(decodedText: label, action: actions.randomElement(using: &random)!)
            }
        })
    }

    static func replyMarkup(_ random: inout SeededRandom) -> ReplyMarkup {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: .inlineKeyboard(Self.inlineKeyboard(&random))
        case 1:
            .replyKeyboard(ReplyKeyboardMarkup(
                keyboard: [[.contactRequest(Self.text(&random)), KeyboardButton(text: Self.text(&random))], [.locationRequest("📍")]],
                isPersistent: Self.maybe(&random) { Bool.random(using: &$0) },
                resizeKeyboard: Self.maybe(&random) { Bool.random(using: &$0) },
                oneTimeKeyboard: Self.maybe(&random) { Bool.random(using: &$0) },
                inputFieldPlaceholder: Self.maybe(&random) { Self.text(&$0) },
                selective: Self.maybe(&random) { Bool.random(using: &$0) }
            ))
        case 2: .removeKeyboard(ReplyKeyboardRemove(selective: Self.maybe(&random) { Bool.random(using: &$0) }))
        default:
            .forceReply(ForceReply(
                inputFieldPlaceholder: Self.maybe(&random) { Self.text(&$0) },
                selective: Self.maybe(&random) { Bool.random(using: &$0) }
            ))
        }
    }

    static func call(_ random: inout SeededRandom) -> OutboundCall {
        let chat = [Int64.min, Int64.max, 0, -1_001_234_567_890, Int64.random(in: -1_000_000...1_000_000, using: &random)]
            .randomElement(using: &random)!
        let target: EditTarget = Bool.random(using: &random)
            ? .message(chatID: chat, messageID: Int.random(in: Int.min...Int.max, using: &random))
            : .inlineMessage(id: Self.text(&random))
        switch Int.random(in: 0..<5, using: &random) {
        case 0:
            return .sendMessage(SendMessage(
                chatID: chat,
                text: Self.text(&random, maximum: 60),
                messageThreadID: Self.maybe(&random) { Int.random(in: 0...1000, using: &$0) },
                parseMode: Self.maybe(&random) { [ParseMode.html, .markdownV2].randomElement(using: &$0)! },
                disableNotification: Self.maybe(&random) { Bool.random(using: &$0) },
                protectContent: Self.maybe(&random) { Bool.random(using: &$0) },
                replyMarkup: Self.maybe(&random, Self.replyMarkup)
            ))
        case 1:
            return .editMessageText(EditMessageText(
                target,
                text: Self.text(&random, maximum: 60),
                parseMode: Self.maybe(&random) { _ in .html },
                replyMarkup: Self.maybe(&random, Self.inlineKeyboard)
            ))
        case 2:
            return .editMessageReplyMarkup(EditMessageReplyMarkup(target, replyMarkup: Self.maybe(&random, Self.inlineKeyboard)))
        case 3:
            return .answerCallbackQuery(AnswerCallbackQuery(
                callbackQueryID: Self.text(&random),
                text: Self.maybe(&random) { Self.text(&$0) },
                showAlert: Self.maybe(&random) { Bool.random(using: &$0) },
                url: Self.maybe(&random) { Self.text(&$0) },
                cacheTime: Self.maybe(&random) { Int.random(in: -5...5, using: &$0) }
            ))
        default:
            return .deleteMessage(DeleteMessage(chatID: chat, messageID: Int.random(in: 0...Int.max, using: &random)))
        }
    }

    static func foundation(_ call: OutboundCall) throws -> [UInt8] {
        let encoder = JSONEncoder()
        return switch call {
        case .sendMessage(let parameters): Array(try encoder.encode(parameters))
        case .editMessageText(let parameters): Array(try encoder.encode(parameters))
        case .editMessageReplyMarkup(let parameters): Array(try encoder.encode(parameters))
        case .answerCallbackQuery(let parameters): Array(try encoder.encode(parameters))
        case .deleteMessage(let parameters): Array(try encoder.encode(parameters))
        case .sendPhoto(let parameters): Array(try encoder.encode(parameters))
        case .setMyCommands(let parameters): Array(try encoder.encode(parameters))
        }
    }

    @Test func randomRepliesAreWrittenAsJSONEncoderWritesThem() throws {
        var random = SeededRandom(seed: 23)
        for _ in 0..<1000 {
            let call = Self.call(&random)
            let written = try #require(TelegramJSON.body(of: call), "\(call)")
            let foundation = try Self.foundation(call)
            #expect(try jsonObject(Data(written)) == jsonObject(Data(foundation)), "\(String(decoding: written, as: UTF8.self))")
            #expect(try call.jsonBody() == written)
        }
    }

    @Test func stringsAreEscapedByteForByteAsJSONEncoderEscapesThem() throws {
        var random = SeededRandom(seed: 29)
        for _ in 0..<1000 {
            let text = Self.text(&random, maximum: 40)
            var writer = JSONWriter(escapingSlashes: true)
            writer.string(text)
            #expect(writer.bytes == Array(try JSONEncoder().encode(text)), "\(String(decoding: writer.bytes, as: UTF8.self))")
        }
    }

    @Test func partsNotWrittenByHandAreLeftToJSONEncoder() throws {
        let entities = OutboundCall.sendMessage(SendMessage(chatID: 1, text: "hi", entities: [MessageEntity(type: .bold, offset: 0, length: 2)]))
        #expect(TelegramJSON.body(of: entities) == nil)
        #expect(try jsonObject(Data(entities.jsonBody())) == jsonObject(Data(Self.foundation(entities))))
        let quoting = OutboundCall.sendMessage(SendMessage(chatID: 1, text: "hi", replyParameters: ReplyParameters(messageID: 5)))
        #expect(TelegramJSON.body(of: quoting) == nil)
        #expect(try jsonObject(Data(quoting.jsonBody())) == jsonObject(Data(Self.foundation(quoting))))
        let unsupported = OutboundCall.editMessageReplyMarkup(EditMessageReplyMarkup(
            .message(chatID: 1, messageID: 2),
            replyMarkup: InlineKeyboardMarkup(rows: [[InlineKeyboardButton(decodedText: "Game", action: .unsupported)]])
        ))
        #expect(TelegramJSON.body(of: unsupported) == nil)
        #expect(throws: EncodingError.self) { try unsupported.jsonBody() }
    }
}
