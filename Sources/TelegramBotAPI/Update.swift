/// One incoming update (Bot API `Update`): its id and exactly one kind of event.
///
/// Decoding never fails because of an unknown field or an unknown kind of
/// update: a kind this library does not handle decodes as
/// ``Kind/unsupported(_:)`` with its `update_id` kept, so that it can still be
/// acknowledged and deduplicated. Use ``decode(from:)`` for input from the
/// network: it adds precise errors and limits.
public struct Update: Codable, Sendable, Hashable {
    /// The kinds of update the gateway handles. Indirect: a `Message` is a
    /// few hundred bytes of fields, and an update passes by value through
    /// every middleware, so a copy is one reference instead of all of them.
    public indirect enum Kind: Sendable, Hashable {
        case message(Message)
        case editedMessage(Message)
        case channelPost(Message)
        case callbackQuery(CallbackQuery)
        case inlineQuery(InlineQuery)
        /// The bot's own membership changed: added to a group, blocked or
        /// unblocked by a user in a private chat.
        case myChatMember(ChatMemberUpdated)
        /// Another member's status changed (the bot must be an administrator and
        /// ask for `chat_member` updates).
        case chatMember(ChatMemberUpdated)
        /// A kind of update this library does not model; the associated value
        /// is its JSON key (for logs), if there was one.
        case unsupported(String?)
    }

    /// Telegram's sequence number; increasing, used to skip redeliveries.
    public var updateID: Int
    public var kind: Kind

    /// Creates an update; used by emulators and tests.
    public init(updateID: Int, kind: Kind) {
        self.updateID = updateID
        self.kind = kind
    }

    private enum CodingKeys: String, CodingKey, CaseIterable {
        case updateID = "update_id"
        case message
        case editedMessage = "edited_message"
        case channelPost = "channel_post"
        case callbackQuery = "callback_query"
        case inlineQuery = "inline_query"
        case myChatMember = "my_chat_member"
        case chatMember = "chat_member"
    }

    /// Any key of the update object, to name an unsupported kind.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }

        init(stringValue: String) {
            self.stringValue = stringValue
        }

        init?(intValue: Int) {
            nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.updateID = try container.decode(Int.self, forKey: .updateID)
        // Telegram sends exactly one kind per update; take the first known one.
        if let message = try container.decodeIfPresent(Message.self, forKey: .message) {
            self.kind = .message(message)
        } else if let message = try container.decodeIfPresent(Message.self, forKey: .editedMessage) {
            self.kind = .editedMessage(message)
        } else if let message = try container.decodeIfPresent(Message.self, forKey: .channelPost) {
            self.kind = .channelPost(message)
        } else if let query = try container.decodeIfPresent(CallbackQuery.self, forKey: .callbackQuery) {
            self.kind = .callbackQuery(query)
        } else if let query = try container.decodeIfPresent(InlineQuery.self, forKey: .inlineQuery) {
            self.kind = .inlineQuery(query)
        } else if let member = try container.decodeIfPresent(ChatMemberUpdated.self, forKey: .myChatMember) {
            self.kind = .myChatMember(member)
        } else if let member = try container.decodeIfPresent(ChatMemberUpdated.self, forKey: .chatMember) {
            self.kind = .chatMember(member)
        } else {
            let keys = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
            self.kind = .unsupported(keys.filter { $0 != CodingKeys.updateID.rawValue }.min())
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(updateID, forKey: .updateID)
        switch kind {
        case .message(let message): try container.encode(message, forKey: .message)
        case .editedMessage(let message): try container.encode(message, forKey: .editedMessage)
        case .channelPost(let message): try container.encode(message, forKey: .channelPost)
        case .callbackQuery(let query): try container.encode(query, forKey: .callbackQuery)
        case .inlineQuery(let query): try container.encode(query, forKey: .inlineQuery)
        case .myChatMember(let member): try container.encode(member, forKey: .myChatMember)
        case .chatMember(let member): try container.encode(member, forKey: .chatMember)
        case .unsupported: break
        }
    }
}

extension Update {
    /// The update kinds this gateway handles, as `allowed_updates` names
    /// them. `chat_member` must be asked for explicitly: Telegram leaves it
    /// out by default.
    public static let handledKinds = [
        "message", "edited_message", "channel_post", "callback_query",
        "inline_query", "my_chat_member", "chat_member",
    ]
}
