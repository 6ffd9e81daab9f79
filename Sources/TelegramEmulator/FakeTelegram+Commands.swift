import TelegramBotAPI

extension FakeTelegram {
    func getMe() throws -> Reply {
        guard case .object(var fields) = try JSONValue(encoding: bot) else { return try Reply(encoding: bot) }
        fields["can_join_groups"] = .bool(true)
        fields["can_read_all_group_messages"] = .bool(false)
        fields["supports_inline_queries"] = .bool(false)
        return Reply(.object(fields))
    }

    func setMyCommands(_ parameters: RequestParameters) throws -> Reply {
        guard let value = parameters["commands"], case .array(let commands) = try? value.decode(JSONValue.self) else {
            throw BotAPIFailure.badRequest("can't parse commands JSON object")
        }
        for command in commands {
            let name = command["command"]?.stringValue ?? ""
            let description = command["description"]?.stringValue ?? ""
            guard (1...32).contains(name.count), name.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }), name.allSatisfy(\.isASCII) else {
                throw BotAPIFailure.badRequest("BOT_COMMAND_INVALID")
            }
            guard (1...256).contains(description.count) else {
                throw BotAPIFailure.badRequest("command description must be non-empty")
            }
        }
        let key = try Self.commandsKey(parameters)
        mutate { $0.commands[key] = .array(commands) }
        return .true
    }

    func deleteMyCommands(_ parameters: RequestParameters) throws -> Reply {
        let key = try Self.commandsKey(parameters)
        mutate { _ = $0.commands.removeValue(forKey: key) }
        return .true
    }

    func getMyCommands(_ parameters: RequestParameters) throws -> Reply {
        let key = try Self.commandsKey(parameters)
        return Reply(state.withLock { $0.commands[key] } ?? .array([]))
    }

    func getChatMember(_ parameters: RequestParameters) throws -> Reply {
        let chatID = try parameters.chatID()
        let userID = try parameters.requiredInt("user_id")
        let member: ChatMember = try state.withLock { state in
            guard let record = state.chats[chatID] else { throw BotAPIFailure.chatNotFound }
            if Int64(userID) == bot.id {
                return ChatMember(status: record.isBlocked ? .kicked : (record.chat.type.isGroup ? .administrator : .member), user: bot)
            }
            guard let user = record.members[Int64(userID)] else { throw BotAPIFailure.userNotFound }
            return ChatMember(status: .member, user: user)
        }
        return try Reply(encoding: member)
    }

    /// The commands the bot set for a scope and language, as `getMyCommands` would return them.
    ///
    /// - Parameters:
    ///   - scope: A `BotCommandScope` object such as `{"type": "all_private_chats"}`; nil is the default scope.
    ///   - languageCode: A two-letter language code; nil for all languages without their own list.
    public func commands(scope: JSONValue? = nil, languageCode: String? = nil) -> JSONValue {
        let key = Self.commandsKey(scope: scope ?? .object(["type": .string("default")]), languageCode: languageCode ?? "")
        return state.withLock { $0.commands[key] } ?? .array([])
    }

    private static func commandsKey(_ parameters: RequestParameters) throws -> String {
        var scope = JSONValue.object(["type": .string("default")])
        if let value = parameters["scope"], value != .null {
            guard let decoded = try? value.decode(JSONValue.self), decoded["type"]?.stringValue != nil else {
                throw BotAPIFailure.badRequest("can't parse BotCommandScope JSON object")
            }
            scope = decoded
        }
        return commandsKey(scope: scope, languageCode: parameters["language_code"]?.stringValue ?? "")
    }

    /// Commands are kept per scope and language; the scope's JSON text with sorted keys names it.
    private static func commandsKey(scope: JSONValue, languageCode: String) -> String {
        "\(scope.jsonText)|\(languageCode)"
    }
}
