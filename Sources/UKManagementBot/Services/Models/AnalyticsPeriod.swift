/// The span an analytics summary covers. Unknown values decode as themselves.
public struct AnalyticsPeriod: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let day = AnalyticsPeriod(rawValue: "day")
    public static let week = AnalyticsPeriod(rawValue: "week")
    public static let month = AnalyticsPeriod(rawValue: "month")

    public var description: String { rawValue }
}
