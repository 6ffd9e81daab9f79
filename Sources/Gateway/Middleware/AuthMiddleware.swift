public import TelegramBotAPI

/// Establishes who the user is before the bot acts: logs in through the
/// auth service on first contact (the provider caches the token), adds
/// `admin` for `ADMIN_USER_IDS`, refuses blocked users, and refuses a
/// command — typed, or pressed as a `cmd:<name>` button — whose roles the
/// user lacks. A refusal keeps the conversation's state as it was.
public struct AuthMiddleware: UpdateMiddleware {
    /// Why an update was refused.
    public enum Refusal: Sendable {
        /// The auth service has blocked the user.
        case blocked
        /// The user lacks the roles of `command`.
        case forbidden(command: String)
        /// The auth service could not be reached or refused to answer.
        case unavailable
    }

    /// Builds the (localized) message for a refusal.
    public typealias Notice = @Sendable (Refusal, Update, UpdateContext) async -> [OutboundCall]

    /// The prefix of a button's callback data that runs a command, e.g.
    /// `cmd:take_shift`, or with arguments after a space, `cmd:request_status R-000981`.
    public static let commandButtonPrefix = "cmd:"

    private let identities: any IdentityProvider
    private let commands: any CommandDirectory
    private let admins: Set<Int64>
    private let notice: Notice

    /// Creates the middleware.
    public init(identities: any IdentityProvider, commands: any CommandDirectory, admins: Set<Int64>, notice: @escaping Notice) {
        self.identities = identities
        self.commands = commands
        self.admins = admins
        self.notice = notice
    }

    /// The command an update asks for: a typed `/command`, or a `cmd:` button.
    public static func command(of update: Update) -> String? {
        if let command = update.message?.botCommand, update.callbackQuery == nil {
            return command.name
        }
        if let data = update.callbackQuery?.data, data.hasPrefix(Self.commandButtonPrefix) {
            return String(data.dropFirst(Self.commandButtonPrefix.count).prefix { $0 != " " })
        }
        return nil
    }

    public func handle(
        _ update: Update,
        context: UpdateContext,
        next: @Sendable (Update, UpdateContext) async throws -> StepOutcome
    ) async throws -> StepOutcome {
        guard let user = update.from, !user.isBot else {
            return try await next(update, context)
        }
        var identity: UserIdentity
        do {
            identity = try await self.identities.identity(of: user, bot: context.bot, correlationID: context.correlationID)
        } catch {
            context.logger.warning("login through the auth service failed", metadata: ["error": "\(error)"])
            return await self.refuse(.unavailable, update, context)
        }
        if self.admins.contains(user.id) {
            identity.roles.insert("admin")
        }
        if identity.isBlocked {
            return await self.refuse(.blocked, update, context)
        }
        if let command = Self.command(of: update), let route = self.commands.route(for: command), !identity.hasAny(of: route.requiredRoles) {
            context.logger.info("command refused: missing role", metadata: ["command": "\(command)", "required": "\(route.requiredRoles)"])
            return await self.refuse(.forbidden(command: command), update, context)
        }
        var context = context
        context.identity = identity
        context.logger[metadataKey: "user_id"] = "\(identity.serviceUserID)"
        return try await next(update, context)
    }

    private func refuse(_ refusal: Refusal, _ update: Update, _ context: UpdateContext) async -> StepOutcome {
        let answer = update.callbackQuery.map { [OutboundCall.answerCallbackQuery(AnswerCallbackQuery(callbackQueryID: $0.id))] } ?? []
        return StepOutcome(replies: answer + (await self.notice(refusal, update, context)))
    }
}
