/// The user as the auth service (and `ADMIN_USER_IDS`) describe them.
public struct UserIdentity: Sendable, Hashable, Codable {
    /// The user's Telegram id.
    public var telegramID: Int64
    /// The user's id in the downstream services (`u-42`).
    public var serviceUserID: String
    /// Roles: `applicant`, `executor`, `manager`, `admin`.
    public var roles: Set<String>
    /// The language the user service has stored for the user, if any.
    public var language: String?
    /// `active`, `pending` or `blocked`.
    public var status: String

    /// Creates an identity.
    public init(telegramID: Int64, serviceUserID: String, roles: Set<String>, language: String? = nil, status: String = "active") {
        self.telegramID = telegramID
        self.serviceUserID = serviceUserID
        self.roles = roles
        self.language = language
        self.status = status
    }

    /// Whether the auth service has blocked the user.
    public var isBlocked: Bool { self.status == "blocked" }

    /// Whether the user has any of `roles`; an empty list allows everyone.
    public func hasAny(of roles: some Collection<String>) -> Bool {
        roles.isEmpty || roles.contains(where: self.roles.contains)
    }
}
