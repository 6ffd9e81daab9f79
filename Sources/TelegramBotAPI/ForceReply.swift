/// Makes the user's client open a reply to the bot's message, as if the user
/// had pressed Reply (Bot API `ForceReply`; encodes `force_reply: true`).
public struct ForceReply: Codable, Sendable, Hashable {
    /// Shown in the input field while the reply is active (1…64 characters).
    public var inputFieldPlaceholder: String?
    /// Force the reply only for mentioned users and the sender of the message
    /// replied to.
    public var selective: Bool?

    /// Creates a forced reply.
    public init(inputFieldPlaceholder: String? = nil, selective: Bool? = nil) {
        self.inputFieldPlaceholder = inputFieldPlaceholder
        self.selective = selective
    }

    private enum CodingKeys: String, CodingKey {
        case forceReply = "force_reply"
        case inputFieldPlaceholder = "input_field_placeholder"
        case selective
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.inputFieldPlaceholder = try container.decodeIfPresent(String.self, forKey: .inputFieldPlaceholder)
        self.selective = try container.decodeIfPresent(Bool.self, forKey: .selective)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(true, forKey: .forceReply)
        try container.encodeIfPresent(inputFieldPlaceholder, forKey: .inputFieldPlaceholder)
        try container.encodeIfPresent(selective, forKey: .selective)
    }
}
