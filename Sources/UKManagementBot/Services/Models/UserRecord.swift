/// A person as the user service returns them.
public struct UserRecord: Codable, Sendable, Hashable {
    /// The services' id, such as `u-42`.
    public var id: String
    public var telegramID: Int64
    public var fullName: String
    public var phone: String?
    public var roles: [UserRole]
    /// The stored language (`en`, `ru`, `uz`), or nil when the user never chose.
    public var language: String?
    /// An executor's trade, such as `electrician`.
    public var specialization: String?
    /// Present when the service reports it.
    public var status: UserStatus?

    /// Creates a user.
    public init(
        id: String,
        telegramID: Int64,
        fullName: String,
        phone: String? = nil,
        roles: [UserRole] = [],
        language: String? = nil,
        specialization: String? = nil,
        status: UserStatus? = nil
    ) {
        self.id = id
        self.telegramID = telegramID
        self.fullName = fullName
        self.phone = phone
        self.roles = roles
        self.language = language
        self.specialization = specialization
        self.status = status
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        telegramID = try container.decode(Int64.self, forKey: .telegramID)
        fullName = try container.decodeIfPresent(String.self, forKey: .fullName) ?? ""
        phone = try container.decodeIfPresent(String.self, forKey: .phone)
        roles = try container.decodeIfPresent([UserRole].self, forKey: .roles) ?? []
        language = try container.decodeIfPresent(String.self, forKey: .language)
        specialization = try container.decodeIfPresent(String.self, forKey: .specialization)
        status = try container.decodeIfPresent(UserStatus.self, forKey: .status)
    }

    enum CodingKeys: String, CodingKey {
        case id
        case telegramID = "telegram_id"
        case fullName = "full_name"
        case phone
        case roles
        case language
        case specialization
        case status
    }
}
