/// Where a repair or service request stands. Unknown values decode as themselves.
public struct RequestStatus: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let new = RequestStatus(rawValue: "new")
    public static let assigned = RequestStatus(rawValue: "assigned")
    public static let inProgress = RequestStatus(rawValue: "in_progress")
    public static let done = RequestStatus(rawValue: "done")
    public static let cancelled = RequestStatus(rawValue: "cancelled")

    public var description: String { rawValue }
}
