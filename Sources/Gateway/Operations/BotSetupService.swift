public import Logging
public import ServiceLifecycle
import Synchronization
public import TelegramBotAPI

/// What the gateway learns about a bot from Telegram at start: its username,
/// which group commands are addressed to (`/cmd@username`). Nil until known.
public final class BotProfile: Sendable {
    private let storage = Mutex<String?>(nil)

    /// Creates an empty profile.
    public init() {}

    /// The bot's username without `@`, once learned.
    public var username: String? {
        self.storage.withLock { $0 }
    }

    func learn(username: String?) {
        self.storage.withLock { $0 = username }
    }
}

/// At start, learns the bot's username (`getMe`) and publishes its command
/// menus (`setMyCommands`), retrying a few times while Telegram is not
/// reachable. The gateway serves meanwhile: until the username is known a
/// group command addressed to any bot is taken, and a stale menu is cosmetic.
public struct BotSetupService: Service {
    private let client: BotAPIClient
    private let profile: BotProfile
    private let menus: [SetMyCommands]
    private let logger: Logger

    /// Creates the service for the bot `client` speaks for.
    public init(client: BotAPIClient, profile: BotProfile, menus: [SetMyCommands], logger: Logger) {
        self.client = client
        self.profile = profile
        self.menus = menus
        self.logger = logger
    }

    /// Sets up, then waits for shutdown: a service that returns would stop the group.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.setUp()
        }
        try? await gracefulShutdown()
    }

    private func setUp() async {
        for attempt in 1...5 {
            do {
                if self.profile.username == nil {
                    self.profile.learn(username: try await self.client.getMe().username)
                }
                for menu in self.menus {
                    try await self.client.setMyCommands(menu)
                }
                self.logger.debug("bot set up", metadata: ["username": "\(self.profile.username ?? "?")", "menus": "\(self.menus.count)"])
                return
            } catch {
                guard attempt < 5, !Task.isCancelled else {
                    self.logger.warning("bot setup with Telegram failed", metadata: ["error": "\(error)"])
                    return
                }
                try? await Task.sleep(for: .seconds(attempt * 2))
            }
        }
    }
}
