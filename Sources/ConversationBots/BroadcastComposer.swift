import Conversations
import Gateway
import Localization
import Persistence
import TelegramBotAPI

/// `/broadcast` (`builtin:broadcast`): the admin writes a text or sends a
/// photo with a caption, chooses the audience (everyone, one role, one
/// language, users active within N days), sees the message exactly as
/// recipients will, with the audience's size, and confirms; the
/// ``BroadcastEngine`` sends it and shows its progress with **Pause**,
/// **Resume** and **Cancel**.
///
/// The draft is the conversation's state (flow `broadcast`), so it survives
/// restarts like any flow and `/cancel` drops it. Buttons: `bcc:` while
/// composing, `bc:<id>:<action>` on the progress message.
struct BroadcastComposer: Sendable {
    /// The state's flow name while a broadcast is composed.
    static let flow = "broadcast"
    /// The command whose roles the buttons require.
    static let command = "broadcast"
    /// The prefix of the composing buttons.
    static let prefix = "bcc:"
    /// Activity windows offered, in days.
    static let activeDays = [1, 7, 30, 90]

    let engine: BroadcastEngine
    let catalogs: Catalogs

    /// `/broadcast`: asks for the message, in a private chat only (a group
    /// would see the preview and the progress).
    func begin(_ turn: inout ConversationTurn) {
        guard turn.chat.type == .private else {
            turn.reply.say(turn.texts.text("broadcast.private_only"))
            return
        }
        let id = "\(turn.context.bot.name)-\(turn.context.conversation)-\(turn.update.updateID)"
        turn.apply(ConversationState(flow: Self.flow, id: id, step: "content", version: ConversationState.initialVersion(for: id)))
        turn.reply.say(turn.texts.text("broadcast.content.prompt"))
        turn.reply.show(self.keyboard([[("button.cancel", "cancel")]], turn.texts))
    }

    /// A message while composing: the content, or a hint.
    func handle(_ message: Message, _ turn: inout ConversationTurn) {
        guard var state = turn.state, state.step == "content" else {
            turn.reply.say(turn.texts.text("common.use_buttons"))
            return
        }
        var content = BroadcastContent()
        if let photo = message.photo?.max(by: { $0.width * $0.height < $1.width * $1.height }) {
            content.photo = photo.fileID
            content.caption = message.caption
        } else if let text = message.text {
            content.text = text
        } else {
            turn.reply.say(turn.texts.text("broadcast.content.prompt"))
            return
        }
        let (body, limit) = content.photo == nil ? (content.text ?? "", BroadcastContent.textLimit) : (content.caption ?? "", BroadcastContent.captionLimit)
        guard body.count <= limit else {
            turn.reply.say(turn.texts.text("broadcast.content.too_long", ["count": .int(body.count), "limit": .int(limit)]))
            return
        }
        state.data = ["text": .string(content.text ?? ""), "photo": .string(content.photo ?? ""), "caption": .string(content.caption ?? "")]
        self.askAudience(&state, &turn)
    }

    /// A composing button (`data` after ``prefix``).
    func press(_ data: Substring, _ turn: inout ConversationTurn) async {
        guard var state = turn.state, state.flow == Self.flow else {
            turn.render([.expired])
            return
        }
        let parts = data.split(separator: ":", maxSplits: 1).map(String.init)
        let texts = turn.texts
        switch (parts.first ?? "", parts.count > 1 ? parts[1] : "") {
        case ("cancel", _):
            turn.leaveFlow()
            turn.reply.say(texts.text("common.cancelled"))
            turn.showMainMenu()
        case ("audience", _) where state.data["text"] != nil:
            self.askAudience(&state, &turn)
        case ("aud", "role"):
            let roles: [String]
            do {
                roles = try await self.engine.roles(bot: turn.context.bot)
            } catch {
                turn.reply.say(texts.text("broadcast.error.store"))
                return
            }
            turn.reply.say(texts.text(roles.isEmpty ? "broadcast.role.none" : "broadcast.role.prompt"))
            turn.reply.show(self.buttons(roles.map { ($0, "pick:role:\($0)") } + [(texts.text("button.back"), "audience")]))
        case ("aud", "language"):
            turn.reply.say(texts.text("broadcast.language.prompt"))
            let languages = self.catalogs.locales.map { (texts.text("language.name.\($0.identifier)"), "pick:language:\($0.identifier)") }
            turn.reply.show(self.buttons(languages + [(texts.text("button.back"), "audience")]))
        case ("aud", "active"):
            turn.reply.say(texts.text("broadcast.active.prompt"))
            let days = Self.activeDays.map { (texts.text("button.broadcast.days", ["days": .int($0)]), "pick:active:\($0)") }
            turn.reply.show(self.buttons(days + [(texts.text("button.back"), "audience")]))
        case ("aud", "all"):
            await self.preview(audience: .all, html: false, &state, &turn)
        case ("pick", let code):
            guard let audience = BroadcastAudience(code: code) else { return turn.render([.expired]) }
            await self.preview(audience: audience, html: false, &state, &turn)
        case ("html", let on) where state.step == "preview":
            guard let audience = state.data["audience"]?.string.flatMap(BroadcastAudience.init(code:)) else { return turn.render([.expired]) }
            await self.preview(audience: audience, html: on == "1", &state, &turn)
        case ("confirm", _) where state.step == "preview":
            await self.confirm(state, &turn)
        default:
            turn.render([.expired])
        }
    }

    /// A progress button (`data` after ``BroadcastEngine/buttonPrefix``): `<id>:<pause|resume|cancel>`.
    func control(_ data: Substring, _ turn: inout ConversationTurn) async {
        let parts = data.split(separator: ":").map(String.init)
        guard parts.count == 2, let id = Int(parts[0]) else { return turn.render([.expired]) }
        let bot = turn.context.bot
        do {
            let broadcast =
                switch parts[1] {
                case "pause": try await self.engine.pause(bot: bot, id: id)
                case "resume": try await self.engine.resume(bot: bot, id: id)
                case "cancel": try await self.engine.cancel(bot: bot, id: id)
                default: try await self.engine.broadcast(bot: bot, id: id)
                }
            turn.context.logger.notice("broadcast \(parts[1]) pressed", metadata: ["broadcast": "\(id)", "status": "\(broadcast.status.rawValue)"])
            let (text, keyboard) = self.engine.progress(broadcast, now: await self.engine.now())
            turn.reply.say(text)
            // With no buttons left (finished), the reply would be a new message: keep the progress message's place by editing it empty-handed.
            turn.reply.show(keyboard ?? InlineKeyboardMarkup(rows: []))
        } catch {
            turn.reply.say(turn.texts.text(error.code == .notFound ? "conversation.expired" : "broadcast.error.store"))
        }
    }

    private func askAudience(_ state: inout ConversationState, _ turn: inout ConversationTurn) {
        state.step = "audience"
        state.version &+= 1
        turn.apply(state)
        turn.reply.say(turn.texts.text("broadcast.audience.prompt"))
        turn.reply.show(self.keyboard([
            [("button.broadcast.all", "aud:all"), ("button.broadcast.role", "aud:role")],
            [("button.broadcast.language", "aud:language"), ("button.broadcast.active", "aud:active")],
            [("button.cancel", "cancel")],
        ], turn.texts))
    }

    private func content(of state: ConversationState, html: Bool) -> BroadcastContent {
        func value(_ key: String) -> String? { state.data[key]?.string.flatMap { $0.isEmpty ? nil : $0 } }
        return BroadcastContent(text: value("text"), photo: value("photo"), caption: value("caption"), isHTML: html)
    }

    /// The message as recipients will see it, then its audience's size and the Confirm button.
    private func preview(audience: BroadcastAudience, html: Bool, _ state: inout ConversationState, _ turn: inout ConversationTurn) async {
        let texts = turn.texts
        var content = self.content(of: state, html: html)
        if let problem = BroadcastEngine.problem(with: content) {
            turn.reply.say(texts.text("broadcast.invalid", ["problem": .string(problem)]))
            content.isHTML = false
        }
        let count: Int
        do {
            count = try await self.engine.count(bot: turn.context.bot, audience: audience)
        } catch {
            turn.reply.say(texts.text("broadcast.error.store"))
            return
        }
        guard count > 0 else {
            turn.reply.say(texts.text("broadcast.audience.empty"))
            return self.askAudience(&state, &turn)
        }
        state.step = "preview"
        state.data["audience"] = .string(audience.code)
        state.data["html"] = .bool(content.isHTML)
        state.version &+= 1
        turn.apply(state)
        turn.reply.keepPressedMessage()
        turn.reply.sendFirst(content.call(to: turn.chat.id))
        turn.reply.say(texts.text("broadcast.preview", [
            "audience": .string(self.describe(audience, texts)), "count": .int(count),
            "format": .string(texts.text(content.isHTML ? "broadcast.format.html" : "broadcast.format.plain")),
        ]))
        turn.reply.show(self.keyboard([
            [("button.confirm", "confirm")],
            [content.isHTML ? ("button.broadcast.plain", "html:0") : ("button.broadcast.html", "html:1"), ("button.broadcast.audience", "audience")],
            [("button.cancel", "cancel")],
        ], texts))
    }

    private func confirm(_ state: ConversationState, _ turn: inout ConversationTurn) async {
        let texts = turn.texts
        guard let audience = state.data["audience"]?.string.flatMap(BroadcastAudience.init(code:)) else { return turn.render([.expired]) }
        let html = state.data["html"] == .bool(true)
        do {
            let (broadcast, place) = try await self.engine.start(
                bot: turn.context.bot, content: self.content(of: state, html: html), audience: audience,
                adminChat: turn.chat.id, locale: texts.locale.identifier)
            turn.leaveFlow()
            let arguments: [String: MessageArgument] = ["id": .int(broadcast.id), "count": .int(broadcast.total), "ahead": .int(max(0, place - 1))]
            turn.reply.say(texts.text(place > 1 ? "broadcast.queued" : "broadcast.confirmed", arguments))
            turn.showMainMenu()
        } catch {
            turn.context.logger.warning("broadcast not started", metadata: ["error": "\(error)"])
            switch error.code {
            case .emptyAudience:
                var state = state
                turn.reply.say(texts.text("broadcast.audience.empty"))
                self.askAudience(&state, &turn)
            case .invalidContent: turn.reply.say(texts.text("broadcast.invalid", ["problem": .string(error.message)]))
            default: turn.reply.say(texts.text("broadcast.error.store"))
            }
        }
    }

    private func describe(_ audience: BroadcastAudience, _ texts: Localizer) -> String {
        switch audience {
        case .all: texts.text("broadcast.audience.all")
        case .role(let role): texts.text("broadcast.audience.role", ["role": .string(role)])
        case .language(let code): texts.text("broadcast.audience.language", ["language": .string(texts.text("language.name.\(code)"))])
        case .activeWithin(let days): texts.text("broadcast.audience.active", ["days": .int(days)])
        }
    }

    private func keyboard(_ rows: [[(key: String, data: String)]], _ texts: Localizer) -> InlineKeyboardMarkup {
        InlineKeyboardMarkup(rows: rows.map { row in row.compactMap { try? InlineKeyboardButton.callback(texts.text($0.key), data: Self.prefix + $0.data) } })
    }

    private func buttons(_ labelled: [(label: String, data: String)]) -> InlineKeyboardMarkup {
        let buttons = labelled.compactMap { try? InlineKeyboardButton.callback($0.label, data: Self.prefix + $0.data) }
        return InlineKeyboardMarkup(rows: stride(from: 0, to: buttons.count, by: 2).map { Array(buttons[$0..<min($0 + 2, buttons.count)]) })
    }
}
