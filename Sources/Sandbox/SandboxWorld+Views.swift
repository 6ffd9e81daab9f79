import Conversations
import Foundation
import TelegramBotAPI
import TelegramEmulator
import UKServiceFakes

/// What the page shows, as JSON: the Bot API's own objects where Telegram has them.
extension SandboxWorld {
    /// How many calls of each kind the inspector lists.
    static let listedCalls = 30

    /// The people, the group, the bot and the services' modes.
    public func overview() -> JSONValue {
        .object([
            "bot": .object([
                "username": .string(telegram.configuration.botUsername),
                "first_name": .string(telegram.bot.firstName),
            ]),
            "people": .array(people.map(Self.json)),
            "group": .object(["id": .int(Self.groupID), "title": .string(group.chat.title ?? "")]),
            "services": .array(serviceStates()),
            "roles": .array(["applicant", "executor", "manager", "admin"].map(JSONValue.string)),
            "languages": .array(["en", "ru", "uz"].map(JSONValue.string)),
            "version": .int(Int64(version)),
        ])
    }

    /// One chat as `id` sees it: every message (Bot API `Message` objects), the reply keyboard
    /// the bot shows, its answers to buttons pressed there, and the command menu for them.
    public func chat(for id: Int64, in place: Place) throws(SandboxError) -> JSONValue {
        let person = try self.person(id)
        let chatID = chatID(of: person, in: place)
        let messages = telegram.messages(inChat: chatID).compactMap { message -> JSONValue? in
            guard case .object(var fields) = try? JSONValue(encoding: message) else { return nil }
            fields["from_bot"] = .bool(message.from?.id == telegram.bot.id)
            // Only photos whose bytes the fake holds can be shown; others get a placeholder.
            if let largest = message.photo?.last, telegram.fileData(largest.fileID) != nil {
                fields["photo_url"] = .string("/files/\(largest.fileID)")
            }
            return .object(fields)
        }
        let answers = telegram.pressedButtons(inChat: chatID).filter { $0.query.from.id == person.id }.compactMap { pressed -> JSONValue? in
            guard let answer = pressed.answer else { return nil }
            return .object([
                "id": .string(pressed.query.id),
                "text": answer["text"] ?? .null,
                "show_alert": .bool(answer["show_alert"]?.boolValue ?? false),
            ])
        }
        return .object([
            "person": Self.json(person),
            "place": .string(place.rawValue),
            "chat_id": .int(chatID),
            "messages": .array(messages),
            "keyboard": replyKeyboard(inChat: chatID) ?? .null,
            "answers": .array(answers),
            "commands": commandMenu(for: person, chatID: chatID, in: place),
        ])
    }

    /// For `id` in `place`: their conversation's state and its flow's steps, their latest
    /// updates, the Bot API calls made in the chat and the service calls made for them.
    public func inspector(for id: Int64, in place: Place) async throws(SandboxError) -> JSONValue {
        let person = try self.person(id)
        let chatID = chatID(of: person, in: place)
        let key = ConversationKey(chatID: chatID, userID: place == .group ? person.id : nil)
        var conversation: JSONValue = .null
        var problem: JSONValue = .null
        do {
            if let state = try await conversations.load(ConversationStoreKey(bot: botName, conversation: key.description)) {
                conversation = Self.json(state, flow: flows[state.flow])
            }
        } catch {
            problem = .string("the conversation could not be read: \(error)")
        }
        return .object([
            "conversation_key": .string(key.description),
            "state": conversation,
            "state_error": problem,
            "updates": .array(updates(of: person).reversed().compactMap { try? JSONValue(encoding: $0) }),
            "bot_api": .array(botAPICalls(inChat: chatID, by: person)),
            "downstream": .array(serviceCalls(of: person)),
            "services": .array(serviceStates()),
        ])
    }

    /// Each fake service's mode, and the circuit the gateway keeps for it.
    private func serviceStates() -> [JSONValue] {
        let health = serviceHealth.snapshot
        return serviceModes.map { service, mode in
            .object([
                "name": .string(service), "mode": .string(mode.rawValue),
                "circuit": .string(health[service]?.circuit ?? "closed"),
            ])
        }
    }

    static func json(_ person: Person) -> JSONValue {
        .object([
            "id": .int(person.id),
            "name": .string(person.name),
            "language": .string(person.language),
            "roles": .array(person.roles.map(JSONValue.string)),
        ])
    }

    static func json(_ state: ConversationState, flow: Flow?) -> JSONValue {
        guard case .object(var fields) = try? JSONValue(encoding: state) else { return .null }
        fields["steps"] = .array((flow?.steps ?? []).map { .string($0.name) })
        // A pending call only exists between a step and its service result, never stored.
        fields["pending"] = nil
        return .object(fields)
    }

    /// The reply keyboard of the bot's newest message that set or removed one.
    private func replyKeyboard(inChat chatID: Int64) -> JSONValue? {
        for event in telegram.botEvents(inChat: chatID).reversed() where event.kind == .sent {
            switch event.replyMarkup {
            case .replyKeyboard(let keyboard):
                return try? JSONValue(encoding: keyboard)
            case .removeKeyboard:
                return nil
            default:
                continue
            }
        }
        return nil
    }

    /// The commands Telegram would list for this person in this chat: the narrowest scope the bot
    /// set, in their language before the list for every language, as Telegram chooses.
    private func commandMenu(for person: Person, chatID: Int64, in place: Place) -> JSONValue {
        let scopes: [JSONValue] =
            switch place {
            case .private:
                [.object(["type": .string("chat"), "chat_id": .int(chatID)]), .object(["type": .string("all_private_chats")])]
            case .group:
                [
                    .object(["type": .string("chat_member"), "chat_id": .int(chatID), "user_id": .int(person.id)]),
                    .object(["type": .string("chat"), "chat_id": .int(chatID)]),
                    .object(["type": .string("all_group_chats")]),
                ]
            }
        for scope in scopes + [.object(["type": .string("default")])] {
            for language in [person.language, nil] {
                let commands = telegram.commands(scope: scope, languageCode: language)
                if case .array(let list) = commands, !list.isEmpty { return commands }
            }
        }
        return .array([])
    }

    private func botAPICalls(inChat chatID: Int64, by person: Person) -> [JSONValue] {
        let queries = Set(telegram.pressedButtons(inChat: chatID).filter { $0.query.from.id == person.id }.map(\.query.id))
        let calls = telegram.calls().filter { call in
            if let chat = call["chat_id"]?.intValue { return chat == chatID }
            return call["callback_query_id"]?.stringValue.map(queries.contains) ?? false
        }
        return calls.suffix(Self.listedCalls).reversed().map { call in
            let elapsed = call.answered - call.arrived
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            return .object([
                "method": .string(call.method),
                "parameters": call.parameters,
                "status": .int(Int64(call.status)),
                "error": call.errorDescription.map(JSONValue.string) ?? .null,
                "at": .string(call.date.formatted(.iso8601)),
                "ms": .double((milliseconds * 10).rounded() / 10),
            ])
        }
    }

    private func serviceCalls(of person: Person) -> [JSONValue] {
        let calls = services.calls().filter { call in
            call.userID == person.serviceID || (call.route == .authTelegram && call.body?["telegram_id"]?.intValue == person.id)
        }
        return calls.suffix(Self.listedCalls).reversed().map { call in
            .object([
                "service": .string(call.route?.service ?? "?"),
                "method": .string(call.method),
                "uri": .string(call.uri),
                "status": .int(Int64(call.status)),
                "body": call.body ?? .null,
                "answer": call.answer ?? .null,
                "at": .string(call.date.formatted(.iso8601)),
            ])
        }
    }
}
