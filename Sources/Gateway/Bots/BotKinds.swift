/// The bot kinds a gateway carries, by name: the executable lists them
/// once, and configuration and assembly look
/// each bot's `kind` up here.
public struct BotKinds: Sendable {
    private let kinds: [String: any BotKind]

    /// Creates the registry; a later kind of the same name replaces an earlier one.
    public init(_ kinds: [any BotKind]) {
        self.kinds = Dictionary(kinds.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
    }

    /// The kind named `name`, if carried.
    public func kind(named name: String) -> (any BotKind)? {
        self.kinds[name]
    }

    /// The names carried, sorted.
    public var names: [String] {
        self.kinds.keys.sorted()
    }

    /// Checks every configured bot against its kind before anything starts:
    /// the kind exists, its settings are valid and complete, and the
    /// services it calls are configured.
    /// - Throws: ``ConfigurationError`` with one line per problem, each naming the bot and the field.
    public func check(_ configuration: GatewayConfiguration) throws(ConfigurationError) {
        var problems: [ConfigurationError.Problem] = []
        for bot in configuration.bots {
            var reader = BotSettingsReader(bot)
            guard let kind = self.kinds[bot.kind] else {
                reader.problem("kind", "unknown kind \"\(bot.kind)\"; this gateway serves \(self.names.joined(separator: ", "))")
                problems += reader.problems
                continue
            }
            for field in bot.settings.keys.sorted() where !kind.settingFields.contains(field) {
                reader.problem(field, "not a setting of kind \(kind.name)")
            }
            kind.check(&reader)
            problems += reader.problems
            do {
                try configuration.downstream.require(kind.requiredServices(for: bot), by: "bot \"\(bot.id)\" (kind \(kind.name))")
            } catch {
                problems += error.problems
            }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
    }
}
