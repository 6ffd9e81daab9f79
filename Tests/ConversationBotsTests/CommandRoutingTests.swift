import ConversationBots
import Conversations
import Foundation
import Gateway
import Localization
import Logging
import Persistence
import TelegramBotAPI
import Testing

/// A conversation bot routes commands on their rows in `bot_commands`: the
/// target says what runs, a disabled row answers "not available" to everyone,
/// and menus and help offer only what is enabled, served and open to the user.
@Suite("Conversation bots: command routing")
struct CommandRoutingTests {
    static let catalogs: Catalogs = {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try! Catalogs.load(directory: repository.appendingPathComponent("locales"))
    }()

    static let flows = FlowRegistry([
        Flow("language") {
            Step("language", prompt: "language.prompt", accepts: .choice([Choice("en", label: "language.name.en")], hint: "common.use_buttons"))
        },
    ])

    static func routes(disabling disabled: Set<String> = []) -> [CommandRoute] {
        [
            ("start", "builtin:start", [String]()), ("help", "builtin:help", []), ("language", "flow:language", []),
            ("my_requests", "service:requests.mine", []), ("users", "service:users.list", ["admin"]),
            ("admin", "builtin:admin", ["admin"]), ("settings", "flow:settings", ["admin"]), ("begin", "builtin:start", []),
        ].enumerated().map { index, row in
            CommandRoute(
                bot: "test", command: row.0, target: CommandRoute.Target(row.1)!, requiredRoles: row.2,
                isEnabled: !disabled.contains(row.0), sortOrder: index)
        }
    }

    static func bot(_ routes: [CommandRoute]) throws -> ConversationBot {
        try ConversationBot(
            .init(
                flows: Self.flows,
                mainMenu: Menu([[.init(command: "language", label: "button.language"), .init(command: "admin", label: "button.admin")]]),
                menus: ["admin": Menu([[.init(command: "users", label: "button.users")]])],
                services: [
                    "requests.mine": { _, turn in turn.reply.say("requests of \(turn.user.id)") },
                    "users.list": { _, turn in turn.reply.say("the users") },
                ],
                buttons: ["users:": .init(command: "users") { page, turn in turn.reply.say("users page \(page)") }],
                calls: { _, _ in .success() }
            ),
            catalogs: Self.catalogs,
            commands: StaticCommandDirectory(routes),
            profile: BotProfile()
        )
    }

    static func send(_ text: String, to bot: ConversationBot, roles: Set<String> = []) async throws -> [OutboundCall] {
        let update = try Update.decode(from: Array("""
            {"update_id":1,"message":{"message_id":1,"date":1700000000,"chat":{"id":5,"type":"private","first_name":"U"},\
            "from":{"id":5,"is_bot":false,"first_name":"U"},"text":"\(text)",\
            "entities":[{"type":"bot_command","offset":0,"length":\(text.utf16.count)}]}}
            """.utf8))
        var context = UpdateContext(update: update, bot: BotID("test"), conversation: "5", state: nil, logger: Logger(label: "test"))
        context.identity = UserIdentity(telegramID: 5, serviceUserID: "u-5", roles: roles)
        return try await bot.handle(update, context: context).replies
    }

    static func press(_ data: String, on bot: ConversationBot, roles: Set<String> = []) async throws -> [OutboundCall] {
        let update = try Update.decode(from: Array("""
            {"update_id":2,"callback_query":{"id":"q2","chat_instance":"c","data":"\(data)",\
            "from":{"id":5,"is_bot":false,"first_name":"U"},\
            "message":{"message_id":9,"date":1700000000,"chat":{"id":5,"type":"private","first_name":"U"},"text":"list"}}}
            """.utf8))
        var context = UpdateContext(update: update, bot: BotID("test"), conversation: "5", state: nil, logger: Logger(label: "test"))
        context.identity = UserIdentity(telegramID: 5, serviceUserID: "u-5", roles: roles)
        return try await bot.handle(update, context: context).replies
    }

    static func text(_ calls: [OutboundCall]) -> String? {
        calls.compactMap { if case .sendMessage(let message) = $0 { message.text } else { nil } }.first
    }

    static let english = Self.catalogs.localizer(for: .en)

    @Test("each target kind runs what it names")
    func targets() async throws {
        let bot = try Self.bot(Self.routes())
        #expect(Self.text(try await Self.send("/my_requests", to: bot)) == "requests of 5")
        #expect(Self.text(try await Self.send("/language", to: bot))?.hasPrefix(Self.english.text("language.prompt")) == true)
        #expect(Self.text(try await Self.send("/admin", to: bot, roles: ["admin"])) == Self.english.text("admin.title"))
        #expect(Self.text(try await Self.send("/users", to: bot, roles: ["admin"])) == "the users")
        #expect(Self.text(try await Self.send("/nonsense", to: bot)) == Self.english.text("common.not_understood"))
    }

    @Test("a disabled command answers not available to everyone, admins included")
    func disabled() async throws {
        let bot = try Self.bot(Self.routes(disabling: ["users", "my_requests"]))
        let unavailable = Self.english.text("common.unavailable", ["command": "users"])
        #expect(Self.text(try await Self.send("/users", to: bot, roles: ["admin"])) == unavailable)
        #expect(Self.text(try await Self.send("/my_requests", to: bot)) == Self.english.text("common.unavailable", ["command": "my_requests"]))
    }

    @Test("a row whose target the bot does not serve answers not available and stays out of help and menus")
    func unserved() async throws {
        let bot = try Self.bot(Self.routes())
        #expect(Self.text(try await Self.send("/settings", to: bot, roles: ["admin"])) == Self.english.text("common.unavailable", ["command": "settings"]))
        let help = try #require(Self.text(try await Self.send("/help", to: bot, roles: ["admin"])))
        #expect(!help.contains("/settings"))
        #expect(help.contains("/users"))
        #expect(help.contains("/admin"))
    }

    @Test("help and menus offer only enabled commands open to the user's roles")
    func offered() async throws {
        let bot = try Self.bot(Self.routes(disabling: ["users"]))
        let help = try #require(Self.text(try await Self.send("/help", to: bot)))
        #expect(help.contains("/my_requests"))
        #expect(!help.contains("/users") && !help.contains("/admin"))
        let published = CommandMenus.published(bot.router, catalogs: Self.catalogs)
        #expect(published.first?.commands.map(\.command) == ["start", "help", "language", "my_requests", "begin"])
        let admin = CommandMenus.roleMenu(bot.router, roles: ["admin"], chatID: 5, texts: Self.english)
        #expect(admin?.commands.map(\.command) == ["start", "help", "language", "my_requests", "admin", "begin"])

        let start = try await Self.send("/start", to: bot)
        guard case .sendMessage(let message)? = start.first, case .inlineKeyboard(let keyboard)? = message.replyMarkup else {
            Issue.record("no menu: \(start)")
            return
        }
        #expect(keyboard.rows.flatMap { $0 }.count == 1, "an applicant sees Language only")
    }

    @Test("a role-gated command is refused without the role, even with no auth middleware in front")
    func rolesInTheRouter() async throws {
        let bot = try Self.bot(Self.routes())
        #expect(Self.text(try await Self.send("/users", to: bot)) == Self.english.text("error.forbidden"))
        #expect(Self.text(try await Self.send("/admin", to: bot)) == Self.english.text("error.forbidden"))
        // Disabled and role-gated: a stranger is refused, not told it exists.
        let disabled = try Self.bot(Self.routes(disabling: ["users"]))
        #expect(Self.text(try await Self.send("/users", to: disabled)) == Self.english.text("error.forbidden"))
    }

    @Test("a list's buttons follow their command: its roles, and whether it is enabled")
    func buttonsFollowTheirCommand() async throws {
        let bot = try Self.bot(Self.routes())
        #expect(Self.text(try await Self.press("users:2", on: bot, roles: ["admin"])) == "users page 2")
        #expect(Self.text(try await Self.press("users:2", on: bot)) == Self.english.text("error.forbidden"))
        let disabled = try Self.bot(Self.routes(disabling: ["users"]))
        #expect(Self.text(try await Self.press("users:2", on: disabled, roles: ["admin"])) == Self.english.text("common.unavailable", ["command": "users"]))
    }

    @Test("a command routed to a built-in does what the built-in does, whatever it is called")
    func aliasedBuiltin() async throws {
        let bot = try Self.bot(Self.routes())
        let answer = try #require(Self.text(try await Self.send("/begin", to: bot)))
        #expect(answer == Self.english.text("menu.greeting", ["name": "U"]))
    }
}
