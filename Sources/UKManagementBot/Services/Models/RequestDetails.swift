public import Foundation

/// One request in full, as `GET /api/v1/requests/{number}` returns it.
public struct RequestDetails: Codable, Sendable, Hashable {
    /// One change of status.
    public struct HistoryEntry: Codable, Sendable, Hashable {
        public var status: RequestStatus
        public var at: Date

        /// Creates an entry.
        public init(status: RequestStatus, at: Date) {
            self.status = status
            self.at = at
        }
    }

    /// Such as `R-000981`.
    public var number: String
    public var status: RequestStatus
    /// The executor's name, or nil while nobody is assigned.
    public var executor: String?
    /// Status changes, oldest first.
    public var history: [HistoryEntry]
    public var id: String?
    public var category: String?
    public var description: String?
    public var address: String?
    public var photos: [String]
    public var createdAt: Date?

    /// Creates a value.
    public init(
        number: String,
        status: RequestStatus,
        executor: String? = nil,
        history: [HistoryEntry] = [],
        id: String? = nil,
        category: String? = nil,
        description: String? = nil,
        address: String? = nil,
        photos: [String] = [],
        createdAt: Date? = nil
    ) {
        self.number = number
        self.status = status
        self.executor = executor
        self.history = history
        self.id = id
        self.category = category
        self.description = description
        self.address = address
        self.photos = photos
        self.createdAt = createdAt
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        number = try container.decode(String.self, forKey: .number)
        status = try container.decode(RequestStatus.self, forKey: .status)
        executor = try container.decodeIfPresent(String.self, forKey: .executor)
        history = try container.decodeIfPresent([HistoryEntry].self, forKey: .history) ?? []
        id = try container.decodeIfPresent(String.self, forKey: .id)
        category = try container.decodeIfPresent(String.self, forKey: .category)
        description = try container.decodeIfPresent(String.self, forKey: .description)
        address = try container.decodeIfPresent(String.self, forKey: .address)
        photos = try container.decodeIfPresent([String].self, forKey: .photos) ?? []
        createdAt = try container.decodeIfPresent(Date.self, forKey: .createdAt)
    }

    enum CodingKeys: String, CodingKey {
        case number
        case status
        case executor
        case history
        case id
        case category
        case description
        case address
        case photos
        case createdAt = "created_at"
    }
}
