import TelegramBotAPI

extension FakeTelegram {
    /// A user in a private chat with the bot; the chat's id is the user's id, as in Telegram.
    public func privateUser(
        id: Int64,
        firstName: String,
        lastName: String? = nil,
        username: String? = nil,
        languageCode: String? = "en"
    ) -> TelegramUser {
        let user = User(id: id, firstName: firstName, lastName: lastName, username: username, languageCode: languageCode)
        let chat = Chat(id: id, type: .private, username: username, firstName: firstName, lastName: lastName)
        register(chat, member: user)
        return TelegramUser(telegram: self, user: user, chat: chat)
    }

    /// A group the bot is a member of; add people with `TelegramGroup.member(id:firstName:username:languageCode:)`.
    ///
    /// - Parameter id: The group's id; negative, as Telegram's group ids are.
    public func group(id: Int64, title: String, isSupergroup: Bool = true) -> TelegramGroup {
        let chat = Chat(id: id, type: isSupergroup ? .supergroup : .group, title: title)
        register(chat, member: nil)
        return TelegramGroup(telegram: self, chat: chat)
    }

    /// Refuses every call with 401 while `revoked` is true, as Telegram does
    /// for a token revoked in @BotFather (or one that is wrong).
    public func setTokenRevoked(_ revoked: Bool) {
        mutate { $0.tokenRevoked = revoked }
    }

    func register(_ chat: Chat, member: User?) {
        mutate { state in
            if state.chats[chat.id] == nil {
                let instance = UInt64(bitPattern: chat.id &* 6_364_136_223_846_793_005 &+ bot.id)
                state.chats[chat.id] = EmulatorState.ChatRecord(chat: chat, instance: String(instance))
            }
            if let member { state.chats[chat.id]?.members[member.id] = member }
        }
    }
}

/// A group chat with scripted members.
public struct TelegramGroup: Sendable {
    public let telegram: FakeTelegram
    public let chat: Chat

    /// Upgrades the group to a supergroup with the id `supergroup`, as Telegram
    /// does: the supergroup gets the members, and sends to the old id are
    /// refused with 400 and `migrate_to_chat_id`.
    @discardableResult
    public func upgrade(to supergroup: Int64) -> TelegramGroup {
        let upgraded = Chat(id: supergroup, type: .supergroup, title: chat.title)
        telegram.register(upgraded, member: nil)
        telegram.mutate { state in
            if let members = state.chats[chat.id]?.members {
                state.chats[supergroup]?.members.merge(members) { current, _ in current }
            }
            state.chats[chat.id]?.migratedTo = supergroup
        }
        return TelegramGroup(telegram: telegram, chat: upgraded)
    }

    /// Adds a member who can then write in the group.
    public func member(id: Int64, firstName: String, username: String? = nil, languageCode: String? = "en") -> TelegramUser {
        let user = User(id: id, firstName: firstName, username: username, languageCode: languageCode)
        telegram.register(chat, member: user)
        return TelegramUser(telegram: telegram, user: user, chat: chat)
    }
}
