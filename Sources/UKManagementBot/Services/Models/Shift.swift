public import Foundation

/// An executor's work shift.
public struct Shift: Codable, Sendable, Hashable {
    /// Such as `s-7`.
    public var id: String
    public var startsAt: Date
    public var endsAt: Date
    /// Such as `Block 4`.
    public var location: String

    /// Creates a shift.
    public init(id: String, startsAt: Date, endsAt: Date, location: String) {
        self.id = id
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.location = location
    }

    enum CodingKeys: String, CodingKey {
        case id
        case startsAt = "starts_at"
        case endsAt = "ends_at"
        case location
    }
}
