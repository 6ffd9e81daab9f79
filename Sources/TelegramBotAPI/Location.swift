/// A point on the map shared in a message (Bot API `Location`).
public struct Location: Codable, Sendable, Hashable {
    public var latitude: Double
    public var longitude: Double
    /// Radius of uncertainty, in meters (0…1500).
    public var horizontalAccuracy: Double?
    /// Seconds a live location keeps updating; absent for a static location.
    public var livePeriod: Int?
    public var heading: Int?
    public var proximityAlertRadius: Int?

    /// Creates a location; used by emulators and tests.
    public init(
        latitude: Double,
        longitude: Double,
        horizontalAccuracy: Double? = nil,
        livePeriod: Int? = nil,
        heading: Int? = nil,
        proximityAlertRadius: Int? = nil
    ) {
        self.latitude = latitude
        self.longitude = longitude
        self.horizontalAccuracy = horizontalAccuracy
        self.livePeriod = livePeriod
        self.heading = heading
        self.proximityAlertRadius = proximityAlertRadius
    }

    enum CodingKeys: String, CodingKey {
        case latitude
        case longitude
        case horizontalAccuracy = "horizontal_accuracy"
        case livePeriod = "live_period"
        case heading
        case proximityAlertRadius = "proximity_alert_radius"
    }
}
