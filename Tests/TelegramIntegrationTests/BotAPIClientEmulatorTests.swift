import CurlHTTP
import TelegramBotAPI
import TelegramEmulator
import Testing

/// Every ``BotAPIClient`` method over real HTTP against the emulator: what the emulator recorded
/// of the call, and what the client decoded of its answer.
@Suite("Bot API client against the emulator")
struct BotAPIClientEmulatorTests {
    @Test func getMeReturnsTheBot() async throws {
        try await withEmulator { harness in
            let me = try await harness.client.getMe()
            #expect(me.id == harness.telegram.bot.id)
            #expect(me.isBot)
            #expect(me.username == "uk_test_bot")
            #expect(harness.telegram.calls().map(\.method) == ["getMe"])
        }
    }

    @Test func sendMessageCarriesEveryOptionAndRepliesToTheUser() async throws {
        try await withEmulator { harness in
            let alice = harness.telegram.privateUser(id: 1001, firstName: "Alice")
            let question = try #require(alice.send("Where is my request?").message)
            let keyboard = InlineKeyboardMarkup(rows: [[try .callback("Open", data: "request:7"), try .url("Site", url: "https://example.org")]])
            let message = try await harness.client.sendMessage(
                SendMessage(
                    chatID: alice.chat.id,
                    text: "<b>Request 7</b> is in progress",
                    parseMode: .html,
                    linkPreviewOptions: LinkPreviewOptions(isDisabled: true),
                    disableNotification: true,
                    replyParameters: ReplyParameters(messageID: question.messageID),
                    replyMarkup: .inlineKeyboard(keyboard)
                )
            )

            let call = try #require(harness.telegram.calls("sendMessage").first)
            #expect(call.status == 200)
            #expect(call["chat_id"] == .int(1001))
            #expect(call["text"] == .string("<b>Request 7</b> is in progress"))
            #expect(call["parse_mode"] == .string("HTML"))
            #expect(call["link_preview_options"] == .object(["is_disabled": .bool(true)]))
            #expect(call["disable_notification"] == .bool(true))
            #expect(call["reply_parameters"]?["message_id"] == .int(Int64(question.messageID)))
            #expect(call["reply_markup"] == (try JSONValue(encoding: ReplyMarkup.inlineKeyboard(keyboard))))

            #expect(message.chat.id == 1001)
            #expect(message.from?.id == harness.telegram.bot.id)
            #expect(message.text == "<b>Request 7</b> is in progress")
            #expect(message.replyToMessage?.messageID == question.messageID)
            #expect(message.replyToMessage?.text == "Where is my request?")
            #expect(message.replyMarkup == keyboard)
            #expect(alice.lastBotMessage == message)
        }
    }

    @Test func editsChangeTheTextAndTheKeyboard() async throws {
        try await withEmulator { harness in
            let alice = harness.telegram.privateUser(id: 1001, firstName: "Alice")
            let keyboard = InlineKeyboardMarkup(rows: [[try .callback("Accept", data: "accept")]])
            let sent = try await harness.client.sendMessage(SendMessage(chatID: alice.chat.id, text: "Draft"))
            let target = EditTarget.message(chatID: alice.chat.id, messageID: sent.messageID)

            let edited = try await harness.client.editMessageText(EditMessageText(target, text: "Final", replyMarkup: keyboard))
            let editedMessage = try #require(edited.message)
            #expect(editedMessage.messageID == sent.messageID)
            #expect(editedMessage.text == "Final")
            #expect(editedMessage.replyMarkup == keyboard)
            #expect(editedMessage.editDate != nil)
            let editCall = try #require(harness.telegram.calls("editMessageText").first)
            #expect(editCall["message_id"] == .int(Int64(sent.messageID)))
            #expect(editCall["text"] == .string("Final"))

            let cleared = try await harness.client.editMessageReplyMarkup(EditMessageReplyMarkup(target, replyMarkup: nil))
            #expect(cleared.message?.text == "Final")
            #expect(cleared.message?.replyMarkup == nil)
            let markupCall = try #require(harness.telegram.calls("editMessageReplyMarkup").first)
            #expect(markupCall["reply_markup"] == nil)
            #expect(harness.telegram.botEvents(inChat: alice.chat.id).map(\.kind) == [.sent, .edited, .edited])
        }
    }

    @Test func answerCallbackQueryAnswersAUsersButtonPress() async throws {
        try await withEmulator { harness in
            let alice = harness.telegram.privateUser(id: 1001, firstName: "Alice")
            let keyboard = InlineKeyboardMarkup(rows: [[try .callback("Accept", data: "accept:7")]])
            _ = try await harness.client.sendMessage(SendMessage(chatID: alice.chat.id, text: "Accept?", replyMarkup: .inlineKeyboard(keyboard)))
            guard case .callbackQuery(let query) = try alice.press("Accept").kind else {
                Issue.record("pressing a button must produce a callback query")
                return
            }
            #expect(query.data == "accept:7")

            try await harness.client.answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: query.id, text: "Accepted", showAlert: true))
            let answer = try #require(harness.telegram.callbackAnswer(for: query.id))
            #expect(answer["text"] == .string("Accepted"))
            #expect(answer["show_alert"] == .bool(true))
            #expect(harness.telegram.calls("answerCallbackQuery").first?["callback_query_id"] == .string(query.id))
        }
    }

    @Test func deleteMessageRemovesTheBotsMessage() async throws {
        try await withEmulator { harness in
            let alice = harness.telegram.privateUser(id: 1001, firstName: "Alice")
            let sent = try await harness.client.sendMessage(SendMessage(chatID: alice.chat.id, text: "Temporary"))
            try await harness.client.deleteMessage(DeleteMessage(chatID: alice.chat.id, messageID: sent.messageID))
            #expect(alice.lastBotMessage == nil)
            #expect(harness.telegram.botEvents(inChat: alice.chat.id).last?.kind == .deleted)
            #expect(harness.telegram.calls("deleteMessage").first?["message_id"] == .int(Int64(sent.messageID)))
        }
    }

    @Test func sendPhotoUploadsBytesThenResendsByFileID() async throws {
        try await withEmulator { harness in
            let alice = harness.telegram.privateUser(id: 1001, firstName: "Alice")
            let bytes = (0..<6_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let upload = FileUpload(filename: "meter.jpg", contentType: "image/jpeg", data: bytes)
            let request = try #require(alice.send("Send me the meter photo").message)
            let keyboard = InlineKeyboardMarkup(rows: [[try .callback("Wrong photo", data: "photo:retake")]])
            let uploaded = try await harness.client.sendPhoto(
                SendPhoto(
                    chatID: alice.chat.id,
                    photo: .upload(upload),
                    caption: "Meter reading",
                    disableNotification: true,
                    replyParameters: ReplyParameters(messageID: request.messageID),
                    replyMarkup: .inlineKeyboard(keyboard)
                )
            )

            let uploadCall = try #require(harness.telegram.calls("sendPhoto").first)
            let file = try #require(uploadCall.files["photo"])
            #expect(file.data == bytes)
            #expect(file.filename == "meter.jpg")
            #expect(file.contentType == "image/jpeg")
            // A multipart form carries every field as text.
            #expect(uploadCall["caption"] == .string("Meter reading"))
            #expect(uploadCall["disable_notification"] == .string("true"))
            #expect(uploadCall["photo"] == .object(["filename": .string("meter.jpg"), "size": .int(6_000)]))
            #expect(uploaded.caption == "Meter reading")
            // Objects go as JSON text in their form fields; the emulator read them back.
            #expect(uploaded.replyToMessage?.messageID == request.messageID)
            #expect(uploaded.replyMarkup == keyboard)
            let sizes = try #require(uploaded.photo)
            #expect(sizes.count == 3)

            let largest = try #require(sizes.last)
            let resent = try await harness.client.sendPhoto(SendPhoto(chatID: alice.chat.id, photo: .fileID(largest.fileID)))
            let resendCall = try #require(harness.telegram.calls("sendPhoto").last)
            #expect(resendCall.files.isEmpty)
            #expect(resendCall["photo"] == .string(largest.fileID))
            #expect(resent.photo == sizes)
            #expect(resent.messageID == uploaded.messageID + 1)
            #expect(resent.replyMarkup == nil)
        }
    }

    @Test func webhookWithCertificateIsSetReportedAndDeleted() async throws {
        try await withEmulator { harness in
            let certificate = Array("-----BEGIN CERTIFICATE-----\nMIIB…fake…\n-----END CERTIFICATE-----\n".utf8)
            try await harness.client.setWebhook(
                SetWebhook(
                    url: "https://127.0.0.1:8443/webhook/uk",
                    certificate: FileUpload(filename: "cert.pem", contentType: "application/x-pem-file", data: certificate),
                    maxConnections: 10,
                    allowedUpdates: ["message", "callback_query"],
                    dropPendingUpdates: true,
                    secretToken: "s3cret_token-1"
                )
            )
            let call = try #require(harness.telegram.calls("setWebhook").first)
            #expect(call.files["certificate"]?.data == certificate)
            #expect(call["max_connections"] == .string("10"))
            let webhook = try #require(harness.telegram.webhook)
            #expect(webhook.url == "https://127.0.0.1:8443/webhook/uk")
            #expect(webhook.secretToken == "s3cret_token-1")
            #expect(webhook.certificate?.data == certificate)
            #expect(webhook.certificate?.filename == "cert.pem")

            let info = try await harness.client.getWebhookInfo()
            #expect(info.url == "https://127.0.0.1:8443/webhook/uk")
            #expect(info.hasCustomCertificate)
            #expect(info.pendingUpdateCount == 0)
            #expect(info.maxConnections == 10)
            #expect(info.allowedUpdates == ["message", "callback_query"])

            try await harness.client.deleteWebhook(DeleteWebhook(dropPendingUpdates: true))
            #expect(harness.telegram.webhook == nil)
            #expect(harness.telegram.calls("deleteWebhook").first?["drop_pending_updates"] == .bool(true))
            let cleared = try await harness.client.getWebhookInfo()
            #expect(cleared.url == "")
            #expect(!cleared.hasCustomCertificate)
        }
    }

    @Test func getUpdatesLongPollReceivesAMessageSentWhilePollingAndOffsetConfirms() async throws {
        try await withEmulator { harness in
            let alice = harness.telegram.privateUser(id: 1001, firstName: "Alice")
            let client = harness.client
            // Nothing is pending yet; this also opens the connection the poll will reuse.
            #expect(try await client.getUpdates(GetUpdates(timeout: 0)).isEmpty)
            let poll = Task { try await client.getUpdates(GetUpdates(timeout: 5)) }
            // Give the poll time to reach the emulator and wait there; the recorded arrival below
            // checks that it did.
            try await Task.sleep(for: .milliseconds(500))
            let sentAt = ContinuousClock.now
            let update = alice.send("Hello")
            let updates = try await poll.value

            #expect(updates.map(\.updateID) == [update.updateID])
            #expect(updates.first?.message?.text == "Hello")
            #expect(updates.first?.message?.from?.id == alice.user.id)
            let pollCall = try #require(harness.telegram.calls("getUpdates").dropFirst().first)
            #expect(pollCall.arrived < sentAt, "the poll must have been waiting when the message was sent")
            #expect(pollCall.answered >= sentAt)
            #expect(pollCall["timeout"] == .int(5))

            let none = try await client.getUpdates(GetUpdates(offset: update.updateID + 1, timeout: 0))
            #expect(none.isEmpty)
            #expect(harness.telegram.pendingUpdates.isEmpty)
            #expect(harness.telegram.calls("getUpdates").last?["offset"] == .int(Int64(update.updateID + 1)))
        }
    }

    @Test func cancellingALongPollStopsItAtOnce() async throws {
        try await withEmulator { harness in
            let client = harness.client
            let poll = Task { try await client.getUpdates(GetUpdates(timeout: 5)) }
            try await Task.sleep(for: .milliseconds(200))
            let cancelledAt = ContinuousClock.now
            poll.cancel()
            let error = await #expect(throws: BotAPIError.self) { try await poll.value }
            #expect(error?.code == .cancelled)
            // A shutdown must not wait out the poll's five seconds.
            #expect(ContinuousClock.now - cancelledAt < .seconds(1))
        }
    }

    @Test func commandsAreSetAndDeletedPerScopeAndLanguage() async throws {
        try await withEmulator { harness in
            let alice = harness.telegram.privateUser(id: 1001, firstName: "Alice")
            let commands = [BotMenuCommand(command: "start", description: "Начать"), BotMenuCommand(command: "help", description: "Помощь")]
            let scope = JSONValue.object(["type": .string("chat"), "chat_id": .int(1001)])
            try await harness.client.setMyCommands(SetMyCommands(commands: commands, scope: .chat(chatID: alice.chat.id), languageCode: "ru"))

            let call = try #require(harness.telegram.calls("setMyCommands").first)
            #expect(call["scope"] == scope)
            #expect(call["language_code"] == .string("ru"))
            #expect(harness.telegram.commands(scope: scope, languageCode: "ru") == (try JSONValue(encoding: commands)))
            // Another language or the default scope has its own list.
            #expect(harness.telegram.commands(scope: scope, languageCode: "en") == .array([]))
            #expect(harness.telegram.commands() == .array([]))

            try await harness.client.deleteMyCommands(DeleteMyCommands(scope: .chat(chatID: alice.chat.id), languageCode: "ru"))
            #expect(harness.telegram.calls("deleteMyCommands").first?["scope"] == scope)
            #expect(harness.telegram.commands(scope: scope, languageCode: "ru") == .array([]))
        }
    }

    @Test func getChatMemberDescribesMembersAndTheBot() async throws {
        try await withEmulator { harness in
            let group = harness.telegram.group(id: -100_123, title: "House 5")
            let bob = group.member(id: 2002, firstName: "Bob", username: "bob")

            let member = try await harness.client.getChatMember(GetChatMember(chatID: group.chat.id, userID: bob.user.id))
            #expect(member.status == .member)
            #expect(member.user == bob.user)
            let bot = try await harness.client.getChatMember(GetChatMember(chatID: group.chat.id, userID: harness.telegram.bot.id))
            #expect(bot.status == .administrator)
            #expect(bot.user.id == harness.telegram.bot.id)
            let call = try #require(harness.telegram.calls("getChatMember").first)
            #expect(call["chat_id"] == .int(-100_123))
            #expect(call["user_id"] == .int(2002))
        }
    }
}
