/// Parameters of `setMyCommands`: publishes the command menu for a scope and
/// a language.
public struct SetMyCommands: BotAPIMethod, Decodable, Hashable {
    public typealias Result = Bool
    public static let name = "setMyCommands"

    /// At most 100 commands, in menu order.
    public var commands: [BotMenuCommand]
    /// Who sees them; nil is ``BotCommandScope/default``.
    public var scope: BotCommandScope?
    /// Users with this two-letter language see them; nil for everyone without
    /// a dedicated list.
    public var languageCode: String?

    /// Creates the parameters.
    public init(commands: [BotMenuCommand], scope: BotCommandScope? = nil, languageCode: String? = nil) {
        self.commands = commands
        self.scope = scope
        self.languageCode = languageCode
    }

    enum CodingKeys: String, CodingKey {
        case commands
        case scope
        case languageCode = "language_code"
    }
}
