public import Foundation

/// The answer to creating a request.
public struct CreatedRequest: Codable, Sendable, Hashable {
    public var id: String
    /// The number residents see, such as `R-000981`.
    public var number: String
    public var status: RequestStatus
    public var createdAt: Date?

    /// Creates a value.
    public init(id: String, number: String, status: RequestStatus, createdAt: Date? = nil) {
        self.id = id
        self.number = number
        self.status = status
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id
        case number
        case status
        case createdAt = "created_at"
    }
}
