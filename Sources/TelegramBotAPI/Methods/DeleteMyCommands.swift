/// Parameters of `deleteMyCommands`: removes the command menu of a scope and
/// language, so that a broader one applies again.
public struct DeleteMyCommands: BotAPIMethod, Hashable {
    public typealias Result = Bool
    public static let name = "deleteMyCommands"

    public var scope: BotCommandScope?
    public var languageCode: String?

    /// Creates the parameters.
    public init(scope: BotCommandScope? = nil, languageCode: String? = nil) {
        self.scope = scope
        self.languageCode = languageCode
    }

    enum CodingKeys: String, CodingKey {
        case scope
        case languageCode = "language_code"
    }
}
