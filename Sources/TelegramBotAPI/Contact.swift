/// A phone contact shared in a message (Bot API `Contact`).
public struct Contact: Codable, Sendable, Hashable {
    public var phoneNumber: String
    public var firstName: String
    public var lastName: String?
    /// The contact's Telegram user id, when the contact is a Telegram user.
    /// Compare it with the sender's id to know the user shared their own number.
    public var userID: Int64?
    public var vcard: String?

    /// Creates a contact; used by emulators and tests.
    public init(phoneNumber: String, firstName: String, lastName: String? = nil, userID: Int64? = nil, vcard: String? = nil) {
        self.phoneNumber = phoneNumber
        self.firstName = firstName
        self.lastName = lastName
        self.userID = userID
        self.vcard = vcard
    }

    enum CodingKeys: String, CodingKey {
        case phoneNumber = "phone_number"
        case firstName = "first_name"
        case lastName = "last_name"
        case userID = "user_id"
        case vcard
    }
}
