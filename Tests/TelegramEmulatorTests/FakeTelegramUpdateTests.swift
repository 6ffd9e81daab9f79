import CurlHTTP
import Foundation
import Synchronization
import TelegramBotAPI
import TelegramEmulator
import Testing

@Suite struct FakeTelegramUpdateTests {
    @Test func getUpdatesLongPollsAndOffsetConfirms() async throws {
        try await withTelegram { telegram, client in
            let alice = telegram.privateUser(id: 1001, firstName: "Alice")
            let first = alice.sendCommand("start")
            alice.send("hello")
            let updates = try await client.result(telegram, "getUpdates", [:], as: [Update].self)
            #expect(updates.map(\.updateID) == [first.updateID, first.updateID + 1])
            #expect(updates[0].message?.botCommand?.name == "start")
            #expect(updates[0].message?.entities == [MessageEntity(type: .botCommand, offset: 0, length: 6)])

            let limited = try await client.result(telegram, "getUpdates", ["limit": .int(1)], as: [Update].self)
            #expect(limited.map(\.updateID) == [first.updateID])

            let confirmed = try await client.result(telegram, "getUpdates", ["offset": .int(Int64(first.updateID + 2))], as: [Update].self)
            #expect(confirmed.isEmpty)
            #expect(telegram.pendingUpdates.isEmpty)

            // A poll with a timeout returns as soon as an update arrives.
            async let poll = client.result(telegram, "getUpdates", ["offset": .int(Int64(first.updateID + 2)), "timeout": .int(10)], as: [Update].self)
            try await Task.sleep(for: .milliseconds(200))
            let late = alice.send("late")
            let started = ContinuousClock.now
            #expect(try await poll.map(\.updateID) == [late.updateID])
            #expect(ContinuousClock.now - started < .seconds(5))

            let empty = ContinuousClock.now
            let none = try await client.result(telegram, "getUpdates", ["offset": .int(Int64(late.updateID + 1)), "timeout": .int(1)], as: [Update].self)
            #expect(none.isEmpty)
            #expect(ContinuousClock.now - empty >= .milliseconds(900))
        }
    }

    @Test func getUpdatesConflictsWithAWebhook() async throws {
        try await withTelegram { telegram, client in
            let (_, set) = try await client.call(telegram, "setWebhook", ["url": .string("http://127.0.0.1:9/hook")])
            #expect(set["description"] == .string("Webhook was set"))
            let (status, body) = try await client.call(telegram, "getUpdates")
            #expect(status == 409)
            #expect(body["description"] == .string("Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"))
            let (_, deleted) = try await client.call(telegram, "deleteWebhook")
            #expect(deleted["description"] == .string("Webhook was deleted"))
            let (after, _) = try await client.call(telegram, "getUpdates")
            #expect(after == 200)
        }
    }

    @Test func webhookGetsUpdatesWithTheSecretHeader() async throws {
        let received = Mutex<[(secret: String?, update: JSONValue)]>([])
        let bot = LocalHTTPServer { request in
            received.withLock { $0.append((request.header("X-Telegram-Bot-Api-Secret-Token"), try! JSONValue(parsing: request.body))) }
            return .init(status: 200)
        }
        let botPort = try await bot.start()
        try await withTelegram { telegram, client in
            let certificate = Array("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".utf8)
            let response = try await client.execute(HTTPRequest(
                method: .post, url: telegram.methodURL("setWebhook"),
                body: .multipart([
                    MultipartPart(name: "url", text: "http://127.0.0.1:\(botPort)/webhook/uk"),
                    MultipartPart(name: "secret_token", text: "s3cret_Token-1"),
                    MultipartPart(name: "max_connections", text: "10"),
                    MultipartPart(name: "allowed_updates", text: #"["message","callback_query"]"#),
                    MultipartPart(name: "certificate", filename: "cert.pem", contentType: "application/x-pem-file", data: certificate),
                ])))
            #expect(response.status == 200)
            #expect(telegram.webhook?.certificate?.data == certificate)
            #expect(telegram.webhook?.secretToken == "s3cret_Token-1")

            let alice = telegram.privateUser(id: 1001, firstName: "Alice")
            let update = alice.send("hello")
            try await telegram.waitUntilConsumed(update)
            let delivered = received.withLock { $0 }
            #expect(delivered.count == 1)
            #expect(delivered.first?.secret == "s3cret_Token-1")
            #expect(delivered.first?.update["message"]?["text"] == .string("hello"))
            #expect(telegram.webhookDeliveries.first?.status == 200)

            let info = try await client.result(telegram, "getWebhookInfo", [:], as: JSONValue.self)
            #expect(info["url"] == .string("http://127.0.0.1:\(botPort)/webhook/uk"))
            #expect(info["has_custom_certificate"] == .bool(true))
            #expect(info["pending_update_count"] == .int(0))
            #expect(info["max_connections"] == .int(10))
            #expect(info["allowed_updates"] == .array([.string("message"), .string("callback_query")]))
        }
        await bot.shutdown()
    }

    @Test func failedDeliveriesAreRetriedAndReported() async throws {
        let attempts = Atomic<Int>(0)
        let bot = LocalHTTPServer { _ in
            attempts.add(1, ordering: .relaxed).oldValue < 2 ? .init(status: 503) : .init(status: 200)
        }
        let botPort = try await bot.start()
        let settings = FakeTelegram.WebhookSettings(initialBackoff: .milliseconds(20))
        try await withTelegram(.init(webhook: settings)) { telegram, client in
            _ = try await client.call(telegram, "setWebhook", ["url": .string("http://127.0.0.1:\(botPort)/hook")])
            let update = telegram.privateUser(id: 1001, firstName: "Alice").send("hi")
            try await telegram.waitUntilConsumed(update)
            #expect(telegram.webhookDeliveries.map(\.status) == [503, 503, 200])
            #expect(telegram.webhookDeliveries.map(\.attempt) == [1, 2, 3])
            let info = try await client.result(telegram, "getWebhookInfo", [:], as: JSONValue.self)
            #expect(info["last_error_message"] == .string("Wrong response from the webhook: 503 Service Unavailable"))
            #expect(info["last_error_date"]?.intValue != nil)
        }
        await bot.shutdown()
    }

    @Test func aButtonOnAnOlderMessageIsPressedWhenTheMessageIsNamed() async throws {
        try await withTelegram { telegram, client in
            let alice = telegram.privateUser(id: 1001, firstName: "Alice")
            let older = try await client.result(telegram, "sendMessage", [
                "chat_id": .int(1001), "text": .string("Step 1"), "reply_markup": keyboard([[("Back", "f:1:b")]]),
            ], as: Message.self)
            let newer = try await client.result(telegram, "sendMessage", [
                "chat_id": .int(1001), "text": .string("Step 2"), "reply_markup": keyboard([[("Back", "f:2:b")], [("Skip", "f:2:s")]]),
            ], as: Message.self)

            let latest = try alice.press("Back")
            #expect(latest.callbackQuery?.data == "f:2:b")
            #expect(latest.callbackQuery?.message?.messageID == newer.messageID)
            let scrolled = try alice.press("Back", inMessage: older.messageID)
            #expect(scrolled.callbackQuery?.data == "f:1:b")
            #expect(scrolled.callbackQuery?.message?.messageID == older.messageID)
            #expect(throws: EmulatorError.self) { try alice.press("Skip", inMessage: older.messageID) }
            #expect(throws: EmulatorError.self) { try alice.press("Back", inMessage: 999) }
        }
    }

    @Test func pressingAButtonByItsLabelSendsItsCallbackData() async throws {
        try await withTelegram { telegram, client in
            let alice = telegram.privateUser(id: 1001, firstName: "Alice", username: "alice")
            let menu = try await client.result(telegram, "sendMessage", [
                "chat_id": .int(1001), "text": .string("Menu"),
                "reply_markup": keyboard([[("Create request", "menu:create"), ("My requests", "menu:mine")]]),
            ], as: Message.self)
            _ = try await client.result(telegram, "sendMessage", ["chat_id": .int(1001), "text": .string("No buttons")], as: Message.self)

            let update = try alice.press("create REQUEST")
            guard case .callbackQuery(let query) = update.kind else {
                Issue.record("expected a callback query, got \(update.kind)")
                return
            }
            #expect(query.data == "menu:create")
            #expect(query.from.id == 1001)
            #expect(query.message?.messageID == menu.messageID)
            #expect(!query.chatInstance.isEmpty)

            #expect(throws: EmulatorError.self) { try alice.press("Nope") }

            let (_, answered) = try await client.call(telegram, "answerCallbackQuery", ["callback_query_id": .string(query.id), "text": .string("OK")])
            #expect(answered["result"] == .bool(true))
            #expect(telegram.callbackAnswer(for: query.id)?["text"] == .string("OK"))
            let (_, twice) = try await client.call(telegram, "answerCallbackQuery", ["callback_query_id": .string(query.id)])
            #expect(twice["description"] == .string("Bad Request: query is too old and response timeout expired or query ID is invalid"))
        }
    }

    @Test func groupCommandsCanNameTheBot() async throws {
        try await withTelegram { telegram, _ in
            let bob = telegram.group(id: -100_1, title: "Block 4").member(id: 2002, firstName: "Bob")
            let update = bob.sendCommand("request_status", arguments: "R-000981", addressedToBot: true)
            let command = try #require(update.message?.botCommand)
            #expect(command.name == "request_status")
            #expect(command.botUsername == "uk_test_bot")
            #expect(command.arguments == "R-000981")
            #expect(update.message?.chat.type == .supergroup)
            #expect(bob.sendPhoto().message?.photo?.count == 3)
            #expect(bob.sendContact(phoneNumber: "+998901234567").message?.contact?.userID == 2002)
            #expect(bob.sendLocation(latitude: 41.3, longitude: 69.2).message?.location?.latitude == 41.3)
        }
    }

    @Test func waitForBotMessageResumesOnTheNextSendOrEdit() async throws {
        try await withTelegram { telegram, client in
            let alice = telegram.privateUser(id: 1001, firstName: "Alice")
            let seen = telegram.lastSequence(inChat: alice.chat.id)
            async let reply = telegram.waitForBotMessage(chat: alice.chat.id, after: seen)
            try await Task.sleep(for: .milliseconds(100))
            _ = try await client.call(telegram, "sendMessage", ["chat_id": .int(1001), "text": .string("Welcome")])
            #expect(try await reply.message.text == "Welcome")
            await #expect(throws: EmulatorError.self) {
                try await telegram.waitForBotMessage(chat: alice.chat.id, after: seen + 1, timeout: .milliseconds(100))
            }
            let call = try await telegram.waitForCall(method: "sendMessage") { $0["text"] == .string("Welcome") }
            #expect(call.status == 200)
        }
    }

    @Test func limitsAnswer429WithRetryAfter() async throws {
        let limits = FakeTelegram.Limits(isEnabled: true, privateChatBurst: 2)
        try await withTelegram(.init(limits: limits)) { telegram, client in
            _ = telegram.privateUser(id: 1001, firstName: "Alice")
            let message = ["chat_id": JSONValue.int(1001), "text": .string("Hi")]
            #expect(try await client.call(telegram, "sendMessage", message).0 == 200)
            #expect(try await client.call(telegram, "sendMessage", message).0 == 200)
            let (status, body) = try await client.call(telegram, "sendMessage", message)
            #expect(status == 429)
            #expect(body["description"] == .string("Too Many Requests: retry after 1"))
            #expect(body["parameters"] == .object(["retry_after": .int(1)]))
            #expect(telegram.tooManyRequestsCount == 1)

            let group = telegram.group(id: -100_2, title: "Block 4")
            let bob = group.member(id: 2002, firstName: "Bob")
            let query = try await {
                _ = try await client.call(telegram, "sendMessage", ["chat_id": .int(-100_2), "text": .string("x"), "reply_markup": keyboard([[("Go", "go")]])])
                return try bob.press("Go")
            }()
            for _ in 0..<19 {
                _ = try await client.call(telegram, "sendMessage", ["chat_id": .int(-100_2), "text": .string("x")])
            }
            let (groupStatus, groupBody) = try await client.call(telegram, "sendMessage", ["chat_id": .int(-100_2), "text": .string("x")])
            #expect(groupStatus == 429)
            #expect((groupBody["parameters"]?["retry_after"]?.intValue ?? 0) >= 1)
            guard case .callbackQuery(let pressed) = query.kind else { return }
            let (answerStatus, _) = try await client.call(telegram, "answerCallbackQuery", ["callback_query_id": .string(pressed.id)])
            #expect(answerStatus == 200)
        }
    }

    @Test func aGroupBurstCapsAScaledUpGroupRate() async throws {
        // A minute's worth, 60, would otherwise go through at once.
        let limits = FakeTelegram.Limits(isEnabled: true, perGroupPerMinute: 60, groupBurst: 2)
        try await withTelegram(.init(limits: limits)) { telegram, client in
            _ = telegram.group(id: -100_2, title: "Block 4")
            let message = ["chat_id": JSONValue.int(-100_2), "text": .string("x")]
            #expect(try await client.call(telegram, "sendMessage", message).0 == 200)
            #expect(try await client.call(telegram, "sendMessage", message).0 == 200)
            let (status, body) = try await client.call(telegram, "sendMessage", message)
            #expect(status == 429)
            #expect(body["parameters"] == .object(["retry_after": .int(1)]))
            #expect(telegram.calls("sendMessage").last?.retryAfter == 1)
        }
    }
}
