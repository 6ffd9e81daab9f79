/// The answer to a login: an access token, its lifetime, and the user.
///
/// Its description leaves the token out.
public struct AuthSession: Codable, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The bearer token (a JWT); never log it.
    public var accessToken: String
    /// `bearer`.
    public var tokenType: String
    /// How long the token is valid from the moment it was issued.
    public var expiresIn: Duration
    public var user: AuthenticatedUser

    /// Creates a session.
    public init(accessToken: String, tokenType: String = "bearer", expiresIn: Duration, user: AuthenticatedUser) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
        self.user = user
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        accessToken = try container.decode(String.self, forKey: .accessToken)
        tokenType = try container.decodeIfPresent(String.self, forKey: .tokenType) ?? "bearer"
        let seconds = try container.decode(Double.self, forKey: .expiresIn)
        // Clamped to a century: a huge value from the service must not trap
        // in the conversion (1e308 × 1000 is infinity).
        expiresIn = .milliseconds(Int64((min(max(0, seconds), 3_155_760_000) * 1000).rounded()))
        user = try container.decode(AuthenticatedUser.self, forKey: .user)
    }

    /// Encodes the session in the auth service's own shape, for caches.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(accessToken, forKey: .accessToken)
        try container.encode(tokenType, forKey: .tokenType)
        let parts = expiresIn.components
        try container.encode(Double(parts.seconds) + Double(parts.attoseconds) / 1e18, forKey: .expiresIn)
        try container.encode(user, forKey: .user)
    }

    public var description: String {
        "AuthSession(user: \(user.id), roles: \(user.roles), status: \(user.status), expires in: \(expiresIn), token: <redacted>)"
    }

    public var debugDescription: String { description }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token"
        case tokenType = "token_type"
        case expiresIn = "expires_in"
        case user
    }
}
