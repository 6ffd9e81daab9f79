/// Removes the custom keyboard and shows the letter keyboard again
/// (Bot API `ReplyKeyboardRemove`; encodes `remove_keyboard: true`).
public struct ReplyKeyboardRemove: Codable, Sendable, Hashable {
    /// Remove the keyboard only for mentioned users and the sender of the
    /// message replied to.
    public var selective: Bool?

    /// Creates a keyboard removal.
    public init(selective: Bool? = nil) {
        self.selective = selective
    }

    private enum CodingKeys: String, CodingKey {
        case removeKeyboard = "remove_keyboard"
        case selective
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.selective = try container.decodeIfPresent(Bool.self, forKey: .selective)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(true, forKey: .removeKeyboard)
        try container.encodeIfPresent(selective, forKey: .selective)
    }
}
