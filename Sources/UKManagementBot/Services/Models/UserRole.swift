/// A role in the UK system. Unknown roles a service adds later decode as themselves.
public struct UserRole: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// A resident who files requests.
    public static let applicant = UserRole(rawValue: "applicant")
    /// A worker (electrician, plumber…) who takes shifts and requests.
    public static let executor = UserRole(rawValue: "executor")
    public static let manager = UserRole(rawValue: "manager")
    public static let admin = UserRole(rawValue: "admin")

    public var description: String { rawValue }
}
