import Foundation

/// The operator API's settings (`API_JWT_*`, `SCHEDULE_*`); the API serves
/// on the admin listener only when a secret or a public key is set.
public struct OperatorAPIConfiguration: Sendable {
    /// The HS256 secret (`API_JWT_SECRET`), at least 32 bytes.
    public var jwtSecret: [UInt8]?
    /// The PEM of the RS256 or ES256 public key (read from `API_JWT_PUBLIC_KEY_FILE`).
    public var jwtPublicKeyPEM: String?
    /// The `kid` tokens must carry for the public key (`API_JWT_KEY_ID`);
    /// when unset, a token naming any `kid` is refused.
    public var jwtKeyID: String?
    /// The required `iss` (`API_JWT_ISSUER`).
    public var jwtIssuer: String?
    /// The required `aud` (`API_JWT_AUDIENCE`).
    public var jwtAudience: String?
    /// How late a missed occurrence may still be sent (`SCHEDULE_MISFIRE_GRACE`, seconds; 1 h).
    public var misfireGrace: Duration
    /// The shortest `every` a schedule may have (`SCHEDULE_MIN_EVERY`, seconds;
    /// 60 as the contract says; tests lower it to see occurrences quickly).
    public var minimumEvery: Int
    /// How often each instance looks for due schedules (`SCHEDULE_POLL_INTERVAL`, seconds; 1).
    public var schedulePollInterval: Duration

    /// Whether the API is on: a way to verify tokens is configured.
    public var isEnabled: Bool { self.jwtSecret != nil || self.jwtPublicKeyPEM != nil }

    /// Creates the settings; by default the API is off.
    public init(
        jwtSecret: [UInt8]? = nil, jwtPublicKeyPEM: String? = nil, jwtKeyID: String? = nil, jwtIssuer: String? = nil, jwtAudience: String? = nil,
        misfireGrace: Duration = .seconds(3600), minimumEvery: Int = 60, schedulePollInterval: Duration = .seconds(1)
    ) {
        self.jwtSecret = jwtSecret
        self.jwtPublicKeyPEM = jwtPublicKeyPEM
        self.jwtKeyID = jwtKeyID
        self.jwtIssuer = jwtIssuer
        self.jwtAudience = jwtAudience
        self.misfireGrace = misfireGrace
        self.minimumEvery = minimumEvery
        self.schedulePollInterval = schedulePollInterval
    }
}

extension GatewayConfiguration {
    static func readOperatorAPI(_ env: inout EnvironmentReader, readFile: (String) throws -> [UInt8]) -> OperatorAPIConfiguration {
        var api = OperatorAPIConfiguration()
        if let secret = env.string("API_JWT_SECRET") {
            if secret.utf8.count < 32 {
                // The length only: the secret itself never goes into a message.
                env.problem("API_JWT_SECRET", "HS256 needs a secret of at least 32 bytes, got \(secret.utf8.count)")
            }
            api.jwtSecret = Array(secret.utf8)
        }
        if let file = env.string("API_JWT_PUBLIC_KEY_FILE") {
            do {
                api.jwtPublicKeyPEM = String(decoding: try readFile(file), as: UTF8.self)
            } catch {
                env.problem("API_JWT_PUBLIC_KEY_FILE", "cannot read \(file): \(error.localizedDescription)")
            }
        }
        api.jwtKeyID = env.string("API_JWT_KEY_ID")
        api.jwtIssuer = env.string("API_JWT_ISSUER")
        api.jwtAudience = env.string("API_JWT_AUDIENCE")
        api.misfireGrace = .seconds(env.integer("SCHEDULE_MISFIRE_GRACE", default: 3600, in: 0...(30 * 86400)))
        api.minimumEvery = env.integer("SCHEDULE_MIN_EVERY", default: 60, in: 1...86400)
        api.schedulePollInterval = env.seconds("SCHEDULE_POLL_INTERVAL", default: .seconds(1))
        return api
    }
}
