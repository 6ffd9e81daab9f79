import TelegramBotAPI
import TelegramEmulator
/// A person the fake services know: their roles, status and profile.
public struct ServiceUser: Sendable, Hashable {
    /// The services' own id, such as `u-42`.
    public var id: String
    public var telegramID: Int64
    public var fullName: String
    public var phone: String?
    /// A subset of `applicant`, `executor`, `manager`, `admin`.
    public var roles: [String]
    /// `en`, `ru`, `uz`, or nil when the user never chose.
    public var language: String?
    /// `active`, `pending` or `blocked`.
    public var status: String
    /// An executor's trade, such as `electrician`.
    public var specialization: String?
    /// Whether an executor is free for new work (`available_only=true` filters on it).
    public var isAvailable: Bool

    /// Creates a user.
    public init(
        id: String,
        telegramID: Int64,
        fullName: String,
        phone: String? = nil,
        roles: [String] = ["applicant"],
        language: String? = nil,
        status: String = "active",
        specialization: String? = nil,
        isAvailable: Bool = true
    ) {
        self.id = id
        self.telegramID = telegramID
        self.fullName = fullName
        self.phone = phone
        self.roles = roles
        self.language = language
        self.status = status
        self.specialization = specialization
        self.isAvailable = isAvailable
    }

    /// The user as the user service returns it.
    var json: JSONValue {
        .object([
            "id": .string(id),
            "telegram_id": .int(telegramID),
            "full_name": .string(fullName),
            "phone": phone.map(JSONValue.string) ?? .null,
            "roles": .array(roles.map(JSONValue.string)),
            "language": language.map(JSONValue.string) ?? .null,
            "status": .string(status),
            "specialization": specialization.map(JSONValue.string) ?? .null,
        ])
    }

    /// The short form inside an auth answer.
    var authJSON: JSONValue {
        .object([
            "id": .string(id),
            "telegram_id": .int(telegramID),
            "roles": .array(roles.map(JSONValue.string)),
            "language": language.map(JSONValue.string) ?? .null,
            "status": .string(status),
        ])
    }
}
