import TelegramBotAPI

/// A scripted person writing to the bot in one chat (private, or a group they are a member of).
///
/// Every action produces one `Update` with the next `update_id`, which the fake pushes to the
/// webhook or holds for `getUpdates`, and returns it at once; wait for the bot's answer with
/// `FakeTelegram.waitForBotMessage(chat:after:timeout:)`.
public struct TelegramUser: Sendable {
    public let telegram: FakeTelegram
    public let user: User
    public let chat: Chat

    /// Sends a text message.
    @discardableResult
    public func send(_ text: String) -> Update {
        sendMessage { id, date in Message(messageID: id, from: user, chat: chat, date: date, text: text) }
    }

    /// Sends a command such as `/start payload`, with its `bot_command` entity at offset 0.
    ///
    /// - Parameters:
    ///   - name: The command without the slash.
    ///   - arguments: Text after the command, if any.
    ///   - addressedToBot: Appends `@botusername`, as group members do.
    @discardableResult
    public func sendCommand(_ name: String, arguments: String = "", addressedToBot: Bool = false) -> Update {
        let command = "/\(name)" + (addressedToBot ? "@\(telegram.configuration.botUsername)" : "")
        let text = arguments.isEmpty ? command : "\(command) \(arguments)"
        let entity = MessageEntity(type: .botCommand, offset: 0, length: command.utf16.count)
        return sendMessage { id, date in Message(messageID: id, from: user, chat: chat, date: date, text: text, entities: [entity]) }
    }

    /// Sends a photo with three sizes and fresh `file_id`s; with `data`, the picture's bytes,
    /// which ``FakeTelegram/fileData(_:)`` then returns for each size.
    @discardableResult
    public func sendPhoto(caption: String? = nil, data: [UInt8]? = nil) -> Update {
        telegram.enqueue { state in
            let sizes = FakeTelegram.makePhotoSizes(byteCount: data?.count ?? 120_000, data: data, in: &state)
            return .message(Self.store(in: &state, chatID: chat.id) { id, date in
                Message(messageID: id, from: user, chat: chat, date: date, caption: caption, photo: sizes)
            })
        }
    }

    /// Shares a phone number; by default the user's own, with their `user_id`.
    @discardableResult
    public func sendContact(phoneNumber: String, isOwn: Bool = true) -> Update {
        let contact = Contact(
            phoneNumber: phoneNumber, firstName: user.firstName, lastName: user.lastName, userID: isOwn ? user.id : nil)
        return sendMessage { id, date in Message(messageID: id, from: user, chat: chat, date: date, contact: contact) }
    }

    /// Shares a point on the map.
    @discardableResult
    public func sendLocation(latitude: Double, longitude: Double) -> Update {
        let location = Location(latitude: latitude, longitude: longitude)
        return sendMessage { id, date in Message(messageID: id, from: user, chat: chat, date: date, location: location) }
    }

    /// Presses the inline button labelled `label` (case-insensitive) on the newest bot message in
    /// this chat that has one, or on the message `messageID` — an older screen, as a person
    /// scrolling up would.
    ///
    /// - Returns: The `callback_query` update carrying the button's `callback_data`.
    /// - Throws: `EmulatorError` with code `buttonNotFound`, naming the labels that are there.
    @discardableResult
    public func press(_ label: String, inMessage messageID: Int? = nil) throws -> Update {
        let wanted = label.lowercased()
        return try telegram.enqueue { state in
            guard let record = state.chats[chat.id] else { throw Self.noButton(label, seen: []) }
            let candidates = messageID.map { [$0] } ?? record.botMessageIDs.sorted(by: >)
            for id in candidates where record.botMessageIDs.contains(id) {
                guard let message = record.messages[id], let keyboard = message.replyMarkup else { continue }
                for button in keyboard.rows.joined() where button.text.lowercased() == wanted {
                    guard case .callbackData(let data) = button.action else { continue }
                    let query = CallbackQuery(
                        id: String(UInt64(bitPattern: user.id) &* 1_000_000 &+ UInt64(state.nextUpdateID)),
                        from: user, message: .accessible(message), chatInstance: record.instance, data: data)
                    state.callbackQueries[query.id] = query
                    return .callbackQuery(query)
                }
            }
            let newest = (messageID ?? record.botMessageIDs.max()).flatMap { record.messages[$0]?.replyMarkup }
            throw Self.noButton(label, seen: newest?.rows.joined().map(\.text) ?? [])
        }
    }

    /// Blocks the bot: later messages to this chat fail with 403, and the bot gets a
    /// `my_chat_member` update, as from Telegram.
    @discardableResult
    public func blockBot() -> Update {
        setBlocked(true)
    }

    /// Unblocks the bot.
    @discardableResult
    public func unblockBot() -> Update {
        setBlocked(false)
    }

    /// The bot's newest message in this chat.
    public var lastBotMessage: Message? {
        telegram.lastBotMessage(inChat: chat.id)
    }

    private func setBlocked(_ blocked: Bool) -> Update {
        let bot = telegram.bot
        return telegram.enqueue { state in
            state.chats[chat.id]?.isBlocked = blocked
            let member = ChatMember(status: .member, user: bot)
            let kicked = ChatMember(status: .kicked, user: bot, untilDate: 0)
            return .myChatMember(ChatMemberUpdated(
                chat: chat, from: user, date: FakeTelegram.unixTime(),
                oldChatMember: blocked ? member : kicked, newChatMember: blocked ? kicked : member))
        }
    }

    private func sendMessage(_ build: (Int, Int) -> Message) -> Update {
        telegram.enqueue { state in .message(Self.store(in: &state, chatID: chat.id, build)) }
    }

    /// Gives the message the chat's next id and keeps it, so the bot can reply to it.
    private static func store(in state: inout EmulatorState, chatID: Int64, _ build: (Int, Int) -> Message) -> Message {
        let id = state.chats[chatID]?.takeMessageID() ?? 1
        let message = build(id, FakeTelegram.unixTime())
        state.chats[chatID]?.messages[id] = message
        return message
    }

    private static func noButton(_ label: String, seen: [String]) -> EmulatorError {
        EmulatorError(
            .buttonNotFound,
            message: "no bot message in this chat has an inline button labelled \"\(label)\"; the newest keyboard has \(seen)")
    }
}
