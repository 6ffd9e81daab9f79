/// What a resident files: the body of `POST /api/v1/requests`.
public struct RequestDraft: Codable, Sendable, Hashable {
    /// A ``RequestCategory/code``.
    public var category: String
    public var description: String
    /// Building and apartment.
    public var address: String
    /// Telegram `file_id`s of the photos sent.
    public var photos: [String]

    /// Creates a draft.
    public init(category: String, description: String, address: String, photos: [String] = []) {
        self.category = category
        self.description = description
        self.address = address
        self.photos = photos
    }
}
