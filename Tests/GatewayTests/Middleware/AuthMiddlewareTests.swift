import Gateway
import Logging
import Persistence
import Synchronization
import TelegramBotAPI
import Testing

@Suite("Auth middleware")
struct AuthMiddlewareTests {
    /// Identities by Telegram id; an id missing from the table fails as the auth service would when down.
    struct FixedIdentities: IdentityProvider {
        struct Unavailable: Error {}
        let table: [Int64: UserIdentity]
        func identity(of user: User, bot: BotID, correlationID: String) async throws -> UserIdentity {
            guard let identity = table[user.id] else { throw Unavailable() }
            return identity
        }
    }

    /// Records the identity each update reached the bot with.
    final class Recorder: UpdateHandler {
        let seen = Mutex<[UserIdentity?]>([])
        func handle(_ update: Update, context: UpdateContext) async throws -> StepOutcome {
            self.seen.withLock { $0.append(context.identity) }
            return .unchanged
        }
    }

    static let commands = StaticCommandDirectory([
        CommandRoute(bot: "uk", command: "help", target: .flow("help")),
        CommandRoute(bot: "uk", command: "take_shift", target: .flow("take_shift"), requiredRoles: ["executor"]),
        CommandRoute(bot: "uk", command: "users", target: .flow("users"), requiredRoles: ["admin"]),
        CommandRoute(bot: "uk", command: "audit", target: .flow("audit"), requiredRoles: ["admin"], isEnabled: false),
    ])

    static let identities = FixedIdentities(table: [
        1: UserIdentity(telegramID: 1, serviceUserID: "u-1", roles: ["applicant"]),
        2: UserIdentity(telegramID: 2, serviceUserID: "u-2", roles: ["executor"]),
        3: UserIdentity(telegramID: 3, serviceUserID: "u-3", roles: ["applicant"], status: "blocked"),
        4: UserIdentity(telegramID: 4, serviceUserID: "u-4", roles: ["applicant"]),
    ])

    static func run(_ update: Update, admins: Set<Int64> = []) async throws -> (StepOutcome, Recorder) {
        let recorder = Recorder()
        let pipeline = UpdatePipeline(
            middleware: [AuthMiddleware(identities: Self.identities, commands: Self.commands, admins: admins) { refusal, _, _ in
                let text = switch refusal {
                case .blocked: "blocked"
                case .forbidden(let command): "forbidden \(command)"
                case .unavailable: "unavailable"
                }
                return [.sendMessage(SendMessage(chatID: 0, text: text))]
            }],
            handler: recorder
        )
        let context = UpdateContext(update: update, bot: BotID("uk"), conversation: "c", state: nil, logger: Logger(label: "test"))
        return (try await pipeline.run(update, context: context), recorder)
    }

    static func texts(_ outcome: StepOutcome) -> [String] {
        outcome.replies.compactMap { if case .sendMessage(let message) = $0 { message.text } else { nil } }
    }

    @Test("a command needing a role the user lacks is refused; with the role it passes with the identity")
    func roles() async throws {
        let (refused, nobody) = try await Self.run(try RateLimitMiddlewareTests.message(1, text: "/take_shift", from: 1))
        #expect(Self.texts(refused) == ["forbidden take_shift"])
        #expect(nobody.seen.withLock { $0 }.isEmpty)

        let (_, executor) = try await Self.run(try RateLimitMiddlewareTests.message(2, text: "/take_shift", from: 2))
        #expect(executor.seen.withLock { $0.first??.serviceUserID } == "u-2")
    }

    @Test("a disabled role-gated command is still refused to a user without the role; with the role it reaches the bot")
    func disabledCommandKeepsItsRoleCheck() async throws {
        let (refused, nobody) = try await Self.run(try RateLimitMiddlewareTests.message(1, text: "/audit", from: 1))
        #expect(Self.texts(refused) == ["forbidden audit"])
        #expect(nobody.seen.withLock { $0 }.isEmpty)

        // The bot answers an admin's disabled command with its "not available" notice.
        let (_, admin) = try await Self.run(try RateLimitMiddlewareTests.message(4, text: "/audit", from: 4), admins: [4])
        #expect(admin.seen.withLock { $0.count } == 1)
    }

    @Test("a cmd: button is checked like the typed command, and the refusal answers the press")
    func commandButton() async throws {
        let update = try Update.decode(from: Array("""
            {"update_id":5,"callback_query":{"id":"q5","chat_instance":"c","data":"cmd:users",\
            "from":{"id":1,"is_bot":false,"first_name":"U"},\
            "message":{"message_id":9,"date":1700000000,"chat":{"id":1,"type":"private","first_name":"U"},"text":"menu"}}}
            """.utf8))
        let (outcome, recorder) = try await Self.run(update)
        #expect(Self.texts(outcome) == ["forbidden users"])
        #expect(outcome.replies.contains { if case .answerCallbackQuery = $0 { true } else { false } })
        #expect(recorder.seen.withLock { $0 }.isEmpty)
    }

    @Test("ADMIN_USER_IDS make a user an admin whatever the auth service says")
    func bootstrapAdmins() async throws {
        let (outcome, recorder) = try await Self.run(try RateLimitMiddlewareTests.message(6, text: "/users", from: 4), admins: [4])
        #expect(Self.texts(outcome).isEmpty)
        #expect(recorder.seen.withLock { $0.first??.roles } == ["applicant", "admin"])
    }

    @Test("a blocked user is refused everything; an unreachable auth service is said, not crashed on")
    func blockedAndUnavailable() async throws {
        let (blocked, recorder) = try await Self.run(try RateLimitMiddlewareTests.message(7, text: "hello", from: 3))
        #expect(Self.texts(blocked) == ["blocked"])
        #expect(recorder.seen.withLock { $0 }.isEmpty)
        let (unknown, _) = try await Self.run(try RateLimitMiddlewareTests.message(8, text: "/help", from: 99))
        #expect(Self.texts(unknown) == ["unavailable"])
        #expect(unknown.state == .keep)
    }
}
