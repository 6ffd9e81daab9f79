/// The user an auth service login names.
public struct AuthenticatedUser: Codable, Sendable, Hashable {
    /// The services' id, such as `u-42`.
    public var id: String
    public var telegramID: Int64
    public var roles: [UserRole]
    /// The language the user chose (`en`, `ru`, `uz`), or nil when they never did.
    public var language: String?
    public var status: UserStatus

    /// Creates a user.
    public init(id: String, telegramID: Int64, roles: [UserRole], language: String? = nil, status: UserStatus = .active) {
        self.id = id
        self.telegramID = telegramID
        self.roles = roles
        self.language = language
        self.status = status
    }

    enum CodingKeys: String, CodingKey {
        case id
        case telegramID = "telegram_id"
        case roles
        case language
        case status
    }
}
