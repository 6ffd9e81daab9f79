/// Parameters of `getMe` (there are none): returns the bot's own ``User``;
/// a cheap check that the token works.
public struct GetMe: BotAPIMethod, Hashable {
    public typealias Result = User
    public static let name = "getMe"

    /// Creates the parameters.
    public init() {}
}
