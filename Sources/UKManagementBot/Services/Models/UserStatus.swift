/// A user's standing with the auth service. Unknown values decode as themselves.
public struct UserStatus: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let active = UserStatus(rawValue: "active")
    /// Registered, not yet approved.
    public static let pending = UserStatus(rawValue: "pending")
    /// Refused: the gateway acts for a blocked user no more.
    public static let blocked = UserStatus(rawValue: "blocked")

    public var description: String { rawValue }
}
