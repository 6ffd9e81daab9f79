import CurlHTTP
import Foundation
import TelegramBotAPI
import TelegramEmulator
import Testing

@Suite struct FakeTelegramMethodTests {
    @Test func getMeDescribesTheBot() async throws {
        try await withTelegram { telegram, client in
            let (status, body) = try await client.call(telegram, "getMe")
            #expect(status == 200)
            #expect(body["ok"] == .bool(true))
            #expect(body["result"]?["id"] == .int(123_456_789))
            #expect(body["result"]?["is_bot"] == .bool(true))
            #expect(body["result"]?["username"] == .string("uk_test_bot"))
        }
    }

    @Test func badTokenAndUnknownMethodAnswerAsTelegram() async throws {
        try await withTelegram { telegram, client in
            let base = telegram.baseURL
            let wrong = try await client.execute(HTTPRequest(url: "\(base)/bot42:other-token/getMe"))
            #expect(wrong.status == 401)
            #expect(try JSONValue(parsing: wrong.body) == .object(["ok": .bool(false), "error_code": .int(401), "description": .string("Unauthorized")]))
            let malformed = try await client.execute(HTTPRequest(url: "\(base)/botnonsense/getMe"))
            #expect(malformed.status == 404)
            let (status, body) = try await client.call(telegram, "sendTelepathy")
            #expect(status == 404)
            #expect(body["description"] == .string("Not Found"))
        }
    }

    @Test func sendMessageNumbersMessagesPerChatAndKeepsTheKeyboard() async throws {
        try await withTelegram { telegram, client in
            let alice = telegram.privateUser(id: 1001, firstName: "Alice")
            let markup = keyboard([[("Create request", "create")]])
            let first = try await client.result(telegram, "sendMessage", ["chat_id": .int(1001), "text": .string("Hello"), "reply_markup": markup], as: Message.self)
            let second = try await client.result(telegram, "sendMessage", ["chat_id": .string("1001"), "text": .string("Again")], as: Message.self)
            #expect(first.messageID == 1 && second.messageID == 2)
            #expect(first.from?.id == telegram.bot.id)
            #expect(first.chat.id == 1001)
            #expect(first.text == "Hello")
            #expect(first.replyMarkup?.rows.first?.first?.text == "Create request")
            #expect(first.date > 0)
            #expect(alice.lastBotMessage?.text == "Again")
            #expect(telegram.botEvents(inChat: 1001).map(\.sequence) == [1, 2])
            #expect(telegram.calls("sendMessage").count == 2)
            #expect(telegram.calls("sendMessage")[0]["text"] == .string("Hello"))
        }
    }

    @Test func sendMessageErrorsUseTelegramsWording() async throws {
        try await withTelegram { telegram, client in
            _ = telegram.privateUser(id: 1001, firstName: "Alice")
            let (status, empty) = try await client.call(telegram, "sendMessage", ["chat_id": .int(1001), "text": .string("")])
            #expect(status == 400)
            #expect(empty == .object(["ok": .bool(false), "error_code": .int(400), "description": .string("Bad Request: message text is empty")]))
            let (_, unknownChat) = try await client.call(telegram, "sendMessage", ["chat_id": .int(5), "text": .string("Hi")])
            #expect(unknownChat["description"] == .string("Bad Request: chat not found"))
            let (_, noChat) = try await client.call(telegram, "sendMessage", ["text": .string("Hi")])
            #expect(noChat["description"] == .string("Bad Request: chat_id is empty"))
            let longData = String(repeating: "x", count: 65)
            let (_, badButton) = try await client.call(telegram, "sendMessage", ["chat_id": .int(1001), "text": .string("Hi"), "reply_markup": keyboard([[("A", longData)]])])
            #expect(badButton["description"] == .string("Bad Request: BUTTON_DATA_INVALID"))
            #expect(telegram.calls("sendMessage").last?.errorDescription == "Bad Request: BUTTON_DATA_INVALID")
        }
    }

    @Test func blockedUserAnswers403() async throws {
        try await withTelegram { telegram, client in
            let alice = telegram.privateUser(id: 1001, firstName: "Alice")
            alice.blockBot()
            let (status, body) = try await client.call(telegram, "sendMessage", ["chat_id": .int(1001), "text": .string("Hi")])
            #expect(status == 403)
            #expect(body["description"] == .string("Forbidden: bot was blocked by the user"))
        }
    }

    @Test func editsChangeTheStoredMessage() async throws {
        try await withTelegram { telegram, client in
            _ = telegram.privateUser(id: 1001, firstName: "Alice")
            let sent = try await client.result(telegram, "sendMessage", ["chat_id": .int(1001), "text": .string("Step 1"), "reply_markup": keyboard([[("Back", "back")]])], as: Message.self)
            let id = JSONValue.int(Int64(sent.messageID))
            let edited = try await client.result(telegram, "editMessageText", ["chat_id": .int(1001), "message_id": id, "text": .string("Step 2"), "reply_markup": keyboard([[("Next", "next")]])], as: Message.self)
            #expect(edited.text == "Step 2")
            #expect(edited.editDate != nil)
            #expect(edited.replyMarkup?.rows[0][0].text == "Next")

            let (_, same) = try await client.call(telegram, "editMessageText", ["chat_id": .int(1001), "message_id": id, "text": .string("Step 2"), "reply_markup": keyboard([[("Next", "next")]])])
            #expect(same["description"]?.stringValue?.hasPrefix("Bad Request: message is not modified: ") == true)
            let (_, missing) = try await client.call(telegram, "editMessageText", ["chat_id": .int(1001), "message_id": .int(99), "text": .string("x")])
            #expect(missing["description"] == .string("Bad Request: message to edit not found"))

            let stripped = try await client.result(telegram, "editMessageReplyMarkup", ["chat_id": .int(1001), "message_id": id], as: Message.self)
            #expect(stripped.replyMarkup == nil)
            let (_, sameMarkup) = try await client.call(telegram, "editMessageReplyMarkup", ["chat_id": .int(1001), "message_id": id])
            #expect(sameMarkup["description"]?.stringValue?.hasPrefix("Bad Request: message is not modified") == true)

            #expect(telegram.lastBotMessage(inChat: 1001)?.text == "Step 2")
            #expect(telegram.botEvents(inChat: 1001).map(\.kind) == [.sent, .edited, .edited])

            let (_, deleted) = try await client.call(telegram, "deleteMessage", ["chat_id": .int(1001), "message_id": id])
            #expect(deleted["result"] == .bool(true))
            let (_, again) = try await client.call(telegram, "deleteMessage", ["chat_id": .int(1001), "message_id": id])
            #expect(again["description"] == .string("Bad Request: message to delete not found"))
            #expect(telegram.lastBotMessage(inChat: 1001) == nil)
        }
    }

    @Test func sendPhotoByUploadAndByFileID() async throws {
        try await withTelegram { telegram, client in
            _ = telegram.privateUser(id: 1001, firstName: "Alice")
            let upload = try await client.execute(HTTPRequest(
                method: .post, url: telegram.methodURL("sendPhoto"),
                body: .multipart([
                    MultipartPart(name: "chat_id", text: "1001"),
                    MultipartPart(name: "caption", text: "Leak"),
                    MultipartPart(name: "photo", filename: "leak.jpg", contentType: "image/jpeg", data: [UInt8](repeating: 1, count: 6400)),
                ])))
            let message = try JSONDecoder().decode(BotAPIResponse<Message>.self, from: Data(upload.body)).result!
            #expect(message.photo?.count == 3)
            #expect(message.caption == "Leak")
            #expect(telegram.calls("sendPhoto")[0].files["photo"]?.data.count == 6400)

            let fileID = try #require(message.photo?.last?.fileID)
            let resent = try await client.result(telegram, "sendPhoto", ["chat_id": .int(1001), "photo": .string(fileID)], as: Message.self)
            #expect(resent.photo == message.photo)
            let (_, bad) = try await client.call(telegram, "sendPhoto", ["chat_id": .int(1001), "photo": .string("nope")])
            #expect(bad["description"] == .string("Bad Request: wrong file identifier/HTTP URL specified"))
        }
    }

    @Test func formEncodedParametersAreAccepted() async throws {
        try await withTelegram { telegram, client in
            _ = telegram.privateUser(id: 1001, firstName: "Alice")
            let response = try await client.execute(HTTPRequest(
                method: .post, url: telegram.methodURL("sendMessage"),
                headers: [HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded")],
                body: .bytes(Array("chat_id=1001&text=Hello+there%21".utf8))))
            #expect(try JSONValue(parsing: response.body)["result"]?["text"] == .string("Hello there!"))
        }
    }

    @Test func commandsAreKeptPerScopeAndLanguage() async throws {
        try await withTelegram { telegram, client in
            let commands = JSONValue.array([.object(["command": .string("start"), "description": .string("Start")])])
            let (_, set) = try await client.call(telegram, "setMyCommands", ["commands": commands, "language_code": .string("en")])
            #expect(set["result"] == .bool(true))
            let (_, en) = try await client.call(telegram, "getMyCommands", ["language_code": .string("en")])
            #expect(en["result"] == commands)
            let (_, ru) = try await client.call(telegram, "getMyCommands", ["language_code": .string("ru")])
            #expect(ru["result"] == .array([]))
            #expect(telegram.commands(languageCode: "en") == commands)
            _ = try await client.call(telegram, "deleteMyCommands", ["language_code": .string("en")])
            #expect(telegram.commands(languageCode: "en") == .array([]))
            let (_, invalid) = try await client.call(telegram, "setMyCommands", ["commands": .array([.object(["command": .string("Bad Command"), "description": .string("x")])])])
            #expect(invalid["description"] == .string("Bad Request: BOT_COMMAND_INVALID"))
        }
    }

    @Test func getChatMemberKnowsTheChatsPeople() async throws {
        try await withTelegram { telegram, client in
            let group = telegram.group(id: -100_777, title: "Block 4")
            _ = group.member(id: 2002, firstName: "Bob")
            let member = try await client.result(telegram, "getChatMember", ["chat_id": .int(-100_777), "user_id": .int(2002)], as: ChatMember.self)
            #expect(member.status == .member && member.user.firstName == "Bob")
            let bot = try await client.result(telegram, "getChatMember", ["chat_id": .int(-100_777), "user_id": .int(telegram.bot.id)], as: ChatMember.self)
            #expect(bot.status == .administrator)
            let (_, missing) = try await client.call(telegram, "getChatMember", ["chat_id": .int(-100_777), "user_id": .int(9)])
            #expect(missing["description"] == .string("Bad Request: user not found"))
        }
    }
}
