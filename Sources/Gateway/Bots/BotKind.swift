/// A kind of bot the gateway serves, named by `kind` in `BOTS_CONFIG_FILE`:
/// what a bot module provides (this repository has two, `uk` and
/// `forward`). The executable lists the kinds it carries in a
/// ``BotKinds`` and the assembly gives each configured bot the kind it names.
///
/// A kind checks its bot's settings before anything starts, names the
/// downstream services it calls (whose `<NAME>_SERVICE_URL` must then be
/// set), and builds the bot's parts — its handler, the middleware of its
/// own, its command menus and any services it runs — from what the gateway
/// hands it in a ``BotContext``.
public protocol BotKind: Sendable {
    /// The `kind` value, such as `uk`.
    var name: String { get }
    /// The fields of a bot entry this kind reads besides the common ones; any other is refused.
    var settingFields: Set<String> { get }
    /// The named downstream services a bot of this kind calls.
    func requiredServices(for bot: GatewayConfiguration.Bot) -> [String]
    /// Checks the bot's own settings, recording one problem per bad field.
    func check(_ settings: inout BotSettingsReader)
    /// Builds a configured bot.
    /// - Throws: when a part cannot be made (its message says which and why).
    func makeBot(_ bot: GatewayConfiguration.Bot, context: BotContext) async throws -> BotParts
}

extension BotKind {
    public var settingFields: Set<String> { [] }

    public func requiredServices(for bot: GatewayConfiguration.Bot) -> [String] { [] }

    public func check(_ settings: inout BotSettingsReader) {}
}
