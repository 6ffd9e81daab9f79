import Foundation
import Testing

@testable import TelegramBotAPI

@Suite("Bot API client: methods")
struct BotAPIClientMethodTests {
    @Test func getMePostsToTheMethodPathAndDecodesTheUser() async throws {
        try await withBotAPI(reply: { _ in
            ScriptedBotAPI.ok(#"{"id":42,"is_bot":true,"first_name":"UK Bot","username":"uk_bot"}"#)
        }) { client, script in
            let me = try await client.getMe()
            #expect(me == User(id: 42, isBot: true, firstName: "UK Bot", username: "uk_bot"))
            let call = try #require(script.received.first)
            #expect(call.request.method == "POST")
            #expect(call.request.uri == "/bot\(testToken)/getMe")
            #expect(call.request.header("content-type") == "application/json")
            #expect(try call.json().isEmpty)
        }
    }

    @Test func sendMessageEncodesEveryParameter() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok(ScriptedBotAPI.message(id: 7, chatID: 1001, text: "Hi")) }) { client, script in
            let keyboard = InlineKeyboardMarkup(rows: [[try .callback("Create request", data: "menu:create")]])
            let message = try await client.sendMessage(
                SendMessage(
                    chatID: 1001,
                    text: "<b>Hi</b>",
                    messageThreadID: 5,
                    parseMode: .html,
                    linkPreviewOptions: LinkPreviewOptions(isDisabled: true),
                    disableNotification: true,
                    replyParameters: ReplyParameters(messageID: 3, allowSendingWithoutReply: true),
                    replyMarkup: .inlineKeyboard(keyboard)
                )
            )
            #expect(message.messageID == 7)
            #expect(message.chat.id == 1001)
            let call = try #require(script.received.first)
            #expect(call.method == "sendMessage")
            try expectJSON(
                call.request.body,
                equals: """
                    {"chat_id":1001,"text":"<b>Hi</b>","message_thread_id":5,"parse_mode":"HTML",
                     "link_preview_options":{"is_disabled":true},"disable_notification":true,
                     "reply_parameters":{"message_id":3,"allow_sending_without_reply":true},
                     "reply_markup":{"inline_keyboard":[[{"text":"Create request","callback_data":"menu:create"}]]}}
                    """
            )
        }
    }

    @Test func sendMessageLeavesUnsetParametersOut() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok(ScriptedBotAPI.message(id: 1, chatID: 5, text: "x")) }) { client, script in
            _ = try await client.sendMessage(SendMessage(chatID: 5, text: "x"))
            try expectJSON(try #require(script.received.first).request.body, equals: #"{"chat_id":5,"text":"x"}"#)
        }
    }

    @Test func editMessageTextTargetsAChatMessageAndDecodesTheMessage() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok(ScriptedBotAPI.message(id: 9, chatID: 5, text: "Done")) }) { client, script in
            let edited = try await client.editMessageText(
                EditMessageText(.message(chatID: 5, messageID: 9), text: "Done", replyMarkup: InlineKeyboardMarkup(rows: []))
            )
            #expect(edited.message?.messageID == 9)
            try expectJSON(
                try #require(script.received.first).request.body,
                equals: #"{"chat_id":5,"message_id":9,"text":"Done","reply_markup":{"inline_keyboard":[]}}"#
            )
        }
    }

    @Test func editOfAnInlineMessageReturnsTrue() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok("true") }) { client, script in
            let edited = try await client.editMessageReplyMarkup(EditMessageReplyMarkup(.inlineMessage(id: "AAQ-1"), replyMarkup: nil))
            #expect(edited == .inlineMessage)
            let call = try #require(script.received.first)
            #expect(call.method == "editMessageReplyMarkup")
            try expectJSON(call.request.body, equals: #"{"inline_message_id":"AAQ-1"}"#)
        }
    }

    @Test func answerCallbackQueryAndDeleteMessage() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok("true") }) { client, script in
            try await client.answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: "4382bfdwdsb323b2d9", text: "Saved", showAlert: false, cacheTime: 5))
            try await client.deleteMessage(DeleteMessage(chatID: -1001234567890, messageID: 77))
            let calls = script.received
            #expect(calls.map(\.method) == ["answerCallbackQuery", "deleteMessage"])
            try expectJSON(
                calls[0].request.body,
                equals: #"{"callback_query_id":"4382bfdwdsb323b2d9","text":"Saved","show_alert":false,"cache_time":5}"#
            )
            try expectJSON(calls[1].request.body, equals: #"{"chat_id":-1001234567890,"message_id":77}"#)
        }
    }

    /// The relay does not read what Telegram returns: a result it could not
    /// decode is no failure, while a refusal still is.
    @Test func callIgnoringResultChecksOnlyTheEnvelope() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok(#"{"message_id":"not a number"}"#) }) { client, _ in
            await #expect(throws: BotAPIError.self) { try await client.sendMessage(SendMessage(chatID: 5, text: "x")) }
            try await client.callIgnoringResult(SendMessage(chatID: 5, text: "x"))
        }
        try await withBotAPI(reply: { _ in ScriptedBotAPI.error(403, "Forbidden: bot was blocked by the user") }) { client, _ in
            let error = try #require(await expectFailure { try await client.callIgnoringResult(SendMessage(chatID: 5, text: "x")) })
            #expect(error.code == .forbidden)
        }
    }

    @Test func sendPhotoByFileIDGoesAsJSON() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok(ScriptedBotAPI.message(id: 2, chatID: 5, text: "")) }) { client, script in
            _ = try await client.sendPhoto(SendPhoto(chatID: 5, photo: .fileID("AgACAgIAAxkBAAIB"), caption: "Leak"))
            let call = try #require(script.received.first)
            #expect(call.request.header("content-type") == "application/json")
            try expectJSON(call.request.body, equals: #"{"chat_id":5,"photo":"AgACAgIAAxkBAAIB","caption":"Leak"}"#)
        }
    }

    @Test func sendPhotoUploadGoesAsMultipartWithTheFileAndJSONFields() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok(ScriptedBotAPI.message(id: 3, chatID: 5, text: "")) }) { client, script in
            let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x0D, 0x0A, 0xFF, 0xD9]
            let keyboard = InlineKeyboardMarkup(rows: [[try .callback("Skip", data: "skip")]])
            _ = try await client.sendPhoto(
                SendPhoto(
                    chatID: 5,
                    photo: .upload(FileUpload(filename: "leak.jpg", contentType: "image/jpeg", data: jpeg)),
                    caption: "Kitchen sink",
                    parseMode: .markdownV2,
                    disableNotification: true,
                    replyMarkup: .inlineKeyboard(keyboard)
                )
            )
            let call = try #require(script.received.first)
            #expect(call.request.header("content-type")?.hasPrefix("multipart/form-data; boundary=") == true)
            let parts = try multipartParts(of: call.request)
            let text = Dictionary(uniqueKeysWithValues: parts.filter { $0.filename == nil }.map { ($0.name, String(decoding: $0.data, as: UTF8.self)) })
            #expect(text["chat_id"] == "5")
            #expect(text["caption"] == "Kitchen sink")
            #expect(text["parse_mode"] == "MarkdownV2")
            #expect(text["disable_notification"] == "true")
            let markup = try #require(text["reply_markup"])
            try expectJSON(Array(markup.utf8), equals: #"{"inline_keyboard":[[{"text":"Skip","callback_data":"skip"}]]}"#)
            let files = parts.filter { $0.filename != nil }
            #expect(files.count == 1)
            #expect(files.first?.name == "photo")
            #expect(files.first?.filename == "leak.jpg")
            #expect(files.first?.contentType == "image/jpeg")
            #expect(files.first?.data == jpeg)
            #expect(parts.filter { $0.name == "photo" }.count == 1)
        }
    }

    @Test func setWebhookWithCertificateGoesAsMultipart() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok("true") }) { client, script in
            let pem = Array("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8)
            try await client.setWebhook(
                SetWebhook(
                    url: "https://bot.example.org:8443/webhook/uk",
                    certificate: FileUpload(filename: "cert.pem", contentType: "application/x-pem-file", data: pem),
                    ipAddress: "203.0.113.7",
                    maxConnections: 40,
                    allowedUpdates: ["message", "callback_query"],
                    dropPendingUpdates: true,
                    secretToken: "s3cr3t_T0ken-1"
                )
            )
            let call = try #require(script.received.first)
            #expect(call.method == "setWebhook")
            let parts = try multipartParts(of: call.request)
            let text = Dictionary(uniqueKeysWithValues: parts.filter { $0.filename == nil }.map { ($0.name, String(decoding: $0.data, as: UTF8.self)) })
            #expect(
                text == [
                    "url": "https://bot.example.org:8443/webhook/uk",
                    "ip_address": "203.0.113.7",
                    "max_connections": "40",
                    "allowed_updates": #"["message","callback_query"]"#,
                    "drop_pending_updates": "true",
                    "secret_token": "s3cr3t_T0ken-1",
                ]
            )
            let certificate = try #require(parts.first { $0.name == "certificate" })
            #expect(certificate.filename == "cert.pem")
            #expect(certificate.data == pem)
        }
    }

    @Test func setWebhookWithoutCertificateGoesAsJSON() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok("true") }) { client, script in
            try await client.setWebhook(SetWebhook(url: "https://bot.example.org/webhook/uk", secretToken: "abc"))
            try await client.deleteWebhook(DeleteWebhook(dropPendingUpdates: true))
            let calls = script.received
            #expect(calls.map(\.method) == ["setWebhook", "deleteWebhook"])
            try expectJSON(calls[0].request.body, equals: #"{"url":"https://bot.example.org/webhook/uk","secret_token":"abc"}"#)
            try expectJSON(calls[1].request.body, equals: #"{"drop_pending_updates":true}"#)
        }
    }

    @Test func getWebhookInfoDecodesEveryField() async throws {
        let info = #"""
            {"url":"https://bot.example.org/webhook/uk","has_custom_certificate":true,"pending_update_count":3,
             "ip_address":"203.0.113.7","last_error_date":1700000000,"last_error_message":"Wrong response from the webhook: 502 Bad Gateway",
             "last_synchronization_error_date":1700000100,"max_connections":40,"allowed_updates":["message"]}
            """#
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok(info) }) { client, script in
            let decoded = try await client.getWebhookInfo()
            #expect(
                decoded
                    == WebhookInfo(
                        url: "https://bot.example.org/webhook/uk",
                        hasCustomCertificate: true,
                        pendingUpdateCount: 3,
                        ipAddress: "203.0.113.7",
                        lastErrorDate: 1_700_000_000,
                        lastErrorMessage: "Wrong response from the webhook: 502 Bad Gateway",
                        lastSynchronizationErrorDate: 1_700_000_100,
                        maxConnections: 40,
                        allowedUpdates: ["message"]
                    )
            )
            #expect(script.received.first?.method == "getWebhookInfo")
        }
    }

    @Test func getWebhookInfoWithoutWebhook() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok(#"{"url":"","has_custom_certificate":false,"pending_update_count":0}"#) }) { client, _ in
            let info = try await client.getWebhookInfo()
            #expect(info.url.isEmpty)
            #expect(info.lastErrorMessage == nil)
        }
    }

    @Test func getUpdatesEncodesPollParametersAndDecodesUpdates() async throws {
        let updates = """
            [{"update_id":100,"message":\(ScriptedBotAPI.message(id: 1, chatID: 5, text: "/start"))},
             {"update_id":101,"callback_query":{"id":"77","from":{"id":5,"is_bot":false,"first_name":"Ann"},"chat_instance":"-1","data":"menu:create"}},
             {"update_id":102,"poll":{"id":"1"}}]
            """
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok(updates) }) { client, script in
            let decoded = try await client.getUpdates(GetUpdates(offset: 100, limit: 50, timeout: 1, allowedUpdates: ["message", "callback_query"]))
            #expect(decoded.map(\.updateID) == [100, 101, 102])
            if case .unsupported(let key) = decoded[2].kind {
                #expect(key == "poll")
            } else {
                Issue.record("expected an unsupported update, got \(decoded[2].kind)")
            }
            try expectJSON(
                try #require(script.received.first).request.body,
                equals: #"{"offset":100,"limit":50,"timeout":1,"allowed_updates":["message","callback_query"]}"#
            )
        }
    }

    @Test func longPollOutlastsTheRequestTimeout() async throws {
        // Telegram holds the poll for its timeout (1 s) before answering; the
        // request timeout alone (0.5 s) would cut it off.
        try await withBotAPI(requestTimeout: .milliseconds(500), reply: { _ in
            try? await Task.sleep(for: .milliseconds(900))
            return ScriptedBotAPI.ok("[]")
        }) { client, _ in
            let updates = try await client.getUpdates(GetUpdates(timeout: 1))
            #expect(updates.isEmpty)
        }
    }

    @Test func setAndDeleteMyCommandsEncodeScopes() async throws {
        try await withBotAPI(reply: { _ in ScriptedBotAPI.ok("true") }) { client, script in
            try await client.setMyCommands(
                SetMyCommands(
                    commands: [BotMenuCommand(command: "start", description: "Main menu"), BotMenuCommand(command: "help", description: "Help")],
                    scope: .allPrivateChats,
                    languageCode: "en"
                )
            )
            try await client.setMyCommands(
                SetMyCommands(commands: [BotMenuCommand(command: "status", description: "Gateway health")], scope: .chatMember(chatID: -1001, userID: 5))
            )
            try await client.deleteMyCommands(DeleteMyCommands(scope: .chatAdministrators(chatID: -1001), languageCode: "ru"))
            try await client.deleteMyCommands()
            let calls = script.received
            #expect(calls.map(\.method) == ["setMyCommands", "setMyCommands", "deleteMyCommands", "deleteMyCommands"])
            try expectJSON(
                calls[0].request.body,
                equals: """
                    {"commands":[{"command":"start","description":"Main menu"},{"command":"help","description":"Help"}],
                     "scope":{"type":"all_private_chats"},"language_code":"en"}
                    """
            )
            try expectJSON(
                calls[1].request.body,
                equals: #"{"commands":[{"command":"status","description":"Gateway health"}],"scope":{"type":"chat_member","chat_id":-1001,"user_id":5}}"#
            )
            try expectJSON(calls[2].request.body, equals: #"{"scope":{"type":"chat_administrators","chat_id":-1001},"language_code":"ru"}"#)
            try expectJSON(calls[3].request.body, equals: "{}")
        }
    }

    @Test(arguments: [
        (BotCommandScope.default, #"{"type":"default"}"#),
        (.allPrivateChats, #"{"type":"all_private_chats"}"#),
        (.allGroupChats, #"{"type":"all_group_chats"}"#),
        (.allChatAdministrators, #"{"type":"all_chat_administrators"}"#),
        (.chat(chatID: -100), #"{"type":"chat","chat_id":-100}"#),
        (.chatAdministrators(chatID: -100), #"{"type":"chat_administrators","chat_id":-100}"#),
        (.chatMember(chatID: -100, userID: 7), #"{"type":"chat_member","chat_id":-100,"user_id":7}"#),
    ])
    func commandScopeRoundTrips(scope: BotCommandScope, json: String) throws {
        try expectJSON(scope, equals: json)
        #expect(try JSONDecoder().decode(BotCommandScope.self, from: Data(json.utf8)) == scope)
    }

    @Test func getChatMemberDecodesTheMember() async throws {
        try await withBotAPI(reply: { _ in
            ScriptedBotAPI.ok(#"{"status":"administrator","user":{"id":5,"is_bot":false,"first_name":"Ann"},"can_be_edited":false}"#)
        }) { client, script in
            let member = try await client.getChatMember(GetChatMember(chatID: -1001, userID: 5))
            #expect(member.status == .administrator)
            #expect(member.user.id == 5)
            try expectJSON(try #require(script.received.first).request.body, equals: #"{"chat_id":-1001,"user_id":5}"#)
        }
    }

    @Test func trailingSlashInBaseURLIsIgnored() {
        let configuration = BotAPIClient.Configuration(token: "1:x", baseURL: "http://127.0.0.1:8081//")
        #expect(configuration.url(for: "getMe") == "http://127.0.0.1:8081/bot1:x/getMe")
    }
}

/// Checks that a JSON body equals `expected` as a value, whatever the key order.
func expectJSON(_ body: [UInt8], equals expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let actual = try jsonObject(Data(body))
    let wanted = try jsonObject(expected)
    #expect(actual == wanted, "\(String(decoding: body, as: UTF8.self))", sourceLocation: sourceLocation)
}
