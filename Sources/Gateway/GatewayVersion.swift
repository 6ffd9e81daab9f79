/// The gateway's version, reported by `GET /api/v1/bots/status`.
public enum GatewayVersion {
    /// Bumped with each release.
    public static let current = "0.5.0"
}
