public import Foundation
public import OpenSSLTLS

/// Verifies compact JSON Web Tokens (RFC 7519 over RFC 7515) signed HS256,
/// RS256 or ES256, and checks their time and audience claims.
///
/// The configured keys decide the algorithms: HS256 only with a secret,
/// RS256 only with an RSA public key, ES256 only with a P-256 key. A token
/// naming any other algorithm — `none`, or HS256 "signed" with the public
/// key's bytes when no secret is set — is refused before its signature is
/// looked at, and its claims are read only once the signature holds.
public struct JWTVerifier: Sendable {
    /// The keys and the claims required.
    public struct Configuration: Sendable {
        /// The HS256 secret; at least 32 bytes.
        public var hmacSecret: [UInt8]?
        /// The RS256 (RSA) or ES256 (P-256) key.
        public var publicKey: PublicKey?
        /// The `kid` a token may name; when nil, a token naming any `kid` is refused.
        public var keyID: String?
        /// When set, `iss` must equal it.
        public var issuer: String?
        /// When set, `aud` (a string or an array) must contain it.
        public var audience: String?
        /// How far `exp`, `nbf` and `iat` may be off.
        public var leeway: Duration = .seconds(60)
        /// Longer tokens are refused unread.
        public var maximumTokenBytes = 8192

        /// Creates a configuration with no key; give at least one.
        public init(hmacSecret: [UInt8]? = nil, publicKey: PublicKey? = nil, keyID: String? = nil, issuer: String? = nil, audience: String? = nil) {
            self.hmacSecret = hmacSecret
            self.publicKey = publicKey
            self.keyID = keyID
            self.issuer = issuer
            self.audience = audience
        }
    }

    public let configuration: Configuration

    /// The shortest HS256 secret taken: RFC 7518 asks for a key as long as the hash.
    public static let minimumSecretBytes = 32

    /// Creates a verifier.
    /// - Throws: ``JWTError`` (`invalidConfiguration`) without a key, or with a secret too short.
    public init(configuration: Configuration) throws(JWTError) {
        guard configuration.hmacSecret != nil || configuration.publicKey != nil else {
            throw JWTError(.invalidConfiguration, "no key: set a secret (HS256) or a public key (RS256, ES256)")
        }
        if let secret = configuration.hmacSecret, secret.count < Self.minimumSecretBytes {
            throw JWTError(.invalidConfiguration, "an HS256 secret needs at least \(Self.minimumSecretBytes) bytes, got \(secret.count)")
        }
        self.configuration = configuration
    }

    /// The claims of `token` if it verifies at `now`.
    /// - Throws: ``JWTError`` saying which check failed; never quoting the token.
    public func verify(_ token: some StringProtocol, now: Date) throws(JWTError) -> JWTClaims {
        let bytes = Array(token.utf8)
        guard bytes.count <= self.configuration.maximumTokenBytes else {
            throw JWTError(.malformed, "the token is longer than \(self.configuration.maximumTokenBytes) bytes")
        }
        let segments = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard segments.count == 3 else { throw JWTError(.malformed, "a token has three dot-separated parts, this one \(segments.count)") }
        guard let headerBytes = Base64URL.decode(segments[0]), let payloadBytes = Base64URL.decode(segments[1]) else {
            throw JWTError(.malformed, "the header or the payload is not unpadded base64url")
        }
        guard let header = Self.object(headerBytes) else { throw JWTError(.malformed, "the header is not a JSON object") }
        guard let algorithm = header["alg"] as? String else { throw JWTError(.malformed, "the header names no alg") }
        if let type = header["typ"] {
            guard let text = type as? String, text.uppercased() == "JWT" else { throw JWTError(.malformed, "typ must be JWT") }
        }
        guard header["crit"] == nil else { throw JWTError(.unsupportedAlgorithm, "critical header extensions are not supported") }
        if let kid = header["kid"] {
            guard let kid = kid as? String, let expected = self.configuration.keyID, kid.utf8.count == expected.utf8.count,
                  HMACSHA256.constantTimeEquals(Array(kid.utf8), Array(expected.utf8))
            else { throw JWTError(.unknownKey, "the token names a key (kid) this gateway does not have") }
        }
        guard !segments[2].isEmpty, let signature = Base64URL.decode(segments[2]) else {
            throw JWTError(.malformed, "the signature is missing or not unpadded base64url")
        }
        let signingInput = bytes[..<(segments[0].count + 1 + segments[1].count)]
        switch algorithm {
        case "HS256":
            guard let secret = self.configuration.hmacSecret else { throw JWTError(.unsupportedAlgorithm, "HS256 tokens are not accepted here") }
            let expected = HMACSHA256.authenticationCode(key: secret, message: signingInput)
            guard HMACSHA256.constantTimeEquals(expected, signature) else { throw JWTError(.badSignature, "the signature does not match") }
        case "RS256", "ES256":
            guard let key = self.configuration.publicKey, Self.algorithm(of: key) == algorithm else {
                throw JWTError(.unsupportedAlgorithm, "\(algorithm) tokens are not accepted here")
            }
            guard key.verifySHA256(signature: signature, message: signingInput) else { throw JWTError(.badSignature, "the signature does not match") }
        default:
            throw JWTError(.unsupportedAlgorithm, "the algorithm \(algorithm.prefix(16)) is not accepted")
        }
        guard let payload = Self.object(payloadBytes) else { throw JWTError(.malformed, "the payload is not a JSON object") }
        return try self.claims(payload, now: now)
    }

    private func claims(_ payload: [String: Any], now: Date) throws(JWTError) -> JWTClaims {
        let leeway = Double(self.configuration.leeway.components.seconds)
        let instant = now.timeIntervalSince1970
        guard let exp = payload["exp"] else { throw JWTError(.missingClaim, "the token has no exp") }
        let expiresAt = try Self.numericDate(exp, "exp")
        guard instant <= expiresAt + leeway else { throw JWTError(.expired, "the token expired") }
        var notBefore: Double?
        if let nbf = payload["nbf"] {
            notBefore = try Self.numericDate(nbf, "nbf")
            guard instant + leeway >= notBefore! else { throw JWTError(.notYetValid, "the token is not valid yet (nbf)") }
        }
        var issuedAt: Double?
        if let iat = payload["iat"] {
            issuedAt = try Self.numericDate(iat, "iat")
            guard issuedAt! <= instant + leeway else { throw JWTError(.notYetValid, "the token was issued in the future (iat)") }
        }
        let issuer = payload["iss"] as? String
        if let expected = self.configuration.issuer, issuer != expected { throw JWTError(.wrongIssuer, "the token's iss is not the expected issuer") }
        let audience: [String] =
            switch payload["aud"] {
            case let one as String: [one]
            case let many as [Any]: many.compactMap { $0 as? String }
            default: []
            }
        if let expected = self.configuration.audience, !audience.contains(expected) {
            throw JWTError(.wrongAudience, "the token's aud does not name this gateway")
        }
        let scopes = (payload["scope"] as? String).map { Set($0.split(separator: " ").map(String.init)) } ?? []
        return JWTClaims(
            subject: payload["sub"] as? String, scopes: scopes, expiresAt: Date(timeIntervalSince1970: expiresAt), issuer: issuer,
            audience: audience, issuedAt: issuedAt.map(Date.init(timeIntervalSince1970:)), notBefore: notBefore.map(Date.init(timeIntervalSince1970:)),
            id: payload["jti"] as? String)
    }

    private static func algorithm(of key: PublicKey) -> String {
        switch key.kind {
        case .rsa: "RS256"
        case .ecP256: "ES256"
        }
    }

    private static func object(_ bytes: [UInt8]) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    /// A NumericDate: a JSON number (not a boolean, not a string), finite and within ±10¹¹ seconds.
    private static func numericDate(_ value: Any, _ name: String) throws(JWTError) -> Double {
        // JSON `true` also arrives as an NSNumber; its type code `c` tells it from a number.
        guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else {
            throw JWTError(.malformed, "\(name) must be a number of seconds")
        }
        let seconds = number.doubleValue
        guard seconds.isFinite, abs(seconds) < 1e11 else { throw JWTError(.malformed, "\(name) is out of range") }
        return seconds
    }
}

/// What a verified token says.
public struct JWTClaims: Sendable, Hashable {
    /// `sub`: who is acting.
    public var subject: String?
    /// `scope`, split at spaces.
    public var scopes: Set<String>
    public var expiresAt: Date
    public var issuer: String?
    public var audience: [String]
    public var issuedAt: Date?
    public var notBefore: Date?
    /// `jti`.
    public var id: String?
}

/// Why a token was refused. Its message never quotes the token or a key.
public struct JWTError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Which check failed.
    public enum Code: String, Sendable, Hashable {
        case malformed
        case unsupportedAlgorithm = "unsupported_algorithm"
        case unknownKey = "unknown_key"
        case badSignature = "bad_signature"
        case expired
        case notYetValid = "not_yet_valid"
        case wrongIssuer = "wrong_issuer"
        case wrongAudience = "wrong_audience"
        case missingClaim = "missing_claim"
        case invalidConfiguration = "invalid_configuration"
    }

    public var code: Code
    public var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(self.code.rawValue): \(self.message)" }
}

/// Base64url without padding (RFC 7515 §2), strictly: no `=`, no whitespace, no other character.
enum Base64URL {
    static func decode(_ segment: ArraySlice<UInt8>) -> [UInt8]? {
        guard segment.count % 4 != 1 else { return nil }
        var text = [UInt8]()
        text.reserveCapacity(segment.count + 3)
        for byte in segment {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): text.append(byte)
            case UInt8(ascii: "-"): text.append(UInt8(ascii: "+"))
            case UInt8(ascii: "_"): text.append(UInt8(ascii: "/"))
            default: return nil
            }
        }
        while text.count % 4 != 0 { text.append(UInt8(ascii: "=")) }
        return Data(base64Encoded: Data(text)).map(Array.init)
    }
}
