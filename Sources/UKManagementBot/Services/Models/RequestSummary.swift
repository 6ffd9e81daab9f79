public import Foundation

/// One line of a resident's request list.
public struct RequestSummary: Codable, Sendable, Hashable {
    /// Such as `R-000981`.
    public var number: String
    /// A ``RequestCategory/code``.
    public var category: String
    public var status: RequestStatus
    public var createdAt: Date?

    /// Creates a value.
    public init(number: String, category: String, status: RequestStatus, createdAt: Date? = nil) {
        self.number = number
        self.category = category
        self.status = status
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case number
        case category
        case status
        case createdAt = "created_at"
    }
}
