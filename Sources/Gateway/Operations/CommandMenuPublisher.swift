public import Logging
public import ServiceLifecycle
public import TelegramBotAPI

/// Publishes a bot's command menus (`setMyCommands`) once at start, retrying
/// a few times if Telegram is not reachable yet; the gateway serves
/// regardless — a stale menu is cosmetic.
public struct CommandMenuPublisher: Service {
    private let client: BotAPIClient
    private let menus: [SetMyCommands]
    private let logger: Logger

    /// Creates the publisher of `menus` through `client`.
    public init(client: BotAPIClient, menus: [SetMyCommands], logger: Logger) {
        self.client = client
        self.menus = menus
        self.logger = logger
    }

    /// Publishes, then waits for shutdown: a service that returns would stop the group.
    public func run() async throws {
        await self.publish()
        try? await gracefulShutdown()
    }

    private func publish() async {
        for attempt in 1...5 {
            do {
                for menu in self.menus {
                    try await self.client.setMyCommands(menu)
                }
                self.logger.debug("command menus published", metadata: ["menus": "\(self.menus.count)"])
                return
            } catch {
                guard attempt < 5, !Task.isShuttingDownGracefully else {
                    self.logger.warning("command menus not published", metadata: ["error": "\(error)"])
                    return
                }
                try? await Task.sleep(for: .seconds(attempt * 2))
            }
        }
    }
}
