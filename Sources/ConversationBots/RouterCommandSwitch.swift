public import Gateway
public import Localization
public import TelegramBotAPI

/// Turns a conversation bot's commands on and off for the operator API, as
/// `/settings` does: the row in its directory, then the menus published again.
public struct RouterCommandSwitch: CommandSwitch {
    private let router: CommandRouter
    private let catalogs: Catalogs

    /// Creates the switch over `router`'s directory.
    public init(router: CommandRouter, catalogs: Catalogs) {
        self.router = router
        self.catalogs = catalogs
    }

    public func setEnabled(_ enabled: Bool, command: String) async throws -> (wasEnabled: Bool, menus: [SetMyCommands])? {
        guard let before = self.router.directory.route(for: command), command != SettingsMenu.command else { return nil }
        guard try await self.router.directory.setEnabled(enabled, command: command) else { return nil }
        return (before.isEnabled, CommandMenus.published(self.router, catalogs: self.catalogs))
    }
}
