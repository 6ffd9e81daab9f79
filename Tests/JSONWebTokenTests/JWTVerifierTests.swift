import Foundation
import GatewayTestSupport
import JSONWebToken
import OpenSSLTLS
import Testing

/// The verifier against tokens signed here: HMAC with the secret, RSA and
/// EC P-256 with keys made by the `openssl` command; then every way a token
/// can be wrong.
@Suite struct JWTVerifierTests {
    static let secret = Array("a-test-secret-of-at-least-32-bytes!!".utf8)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    /// Made once, by the first test that needs them.
    static let keys = Task { try await TestKeys() }

    static func base64URL(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func claims(exp: String = "1800000300", extra: String = "") -> String {
        #"{"sub":"svc","scope":"messages:send stats:read","exp":\#(exp)\#(extra)}"#
    }

    static func hs256(_ payload: String = claims(), header: String = #"{"alg":"HS256","typ":"JWT"}"#, key: [UInt8] = secret) -> String {
        let input = base64URL(header.utf8) + "." + base64URL(payload.utf8)
        return input + "." + base64URL(HMACSHA256.authenticationCode(key: key, message: Array(input.utf8)))
    }

    static func signed(_ algorithm: String, key: String, payload: String = claims(), header: String? = nil) async throws -> String {
        let input = base64URL((header ?? #"{"alg":"\#(algorithm)"}"#).utf8) + "." + base64URL(payload.utf8)
        return input + "." + base64URL(try await Self.keys.value.sign(Array(input.utf8), keyFile: key, raw: algorithm == "ES256"))
    }

    static func verifier(secret: Bool = true, key: PublicKey? = nil, keyID: String? = nil, issuer: String? = nil, audience: String? = nil) throws -> JWTVerifier {
        try JWTVerifier(configuration: .init(hmacSecret: secret ? Self.secret : nil, publicKey: key, keyID: keyID, issuer: issuer, audience: audience))
    }

    static func refusal(_ verifier: JWTVerifier, _ token: String) -> JWTError? {
        do {
            _ = try verifier.verify(token, now: now)
            return nil
        } catch {
            let text = String(describing: error)
            #expect(!text.contains(String(token.split(separator: ".").last ?? "")) || token.hasSuffix("."), "the error quotes the token")
            #expect(!text.contains("a-test-secret"), "the error quotes the secret")
            return error
        }
    }

    @Test func acceptsEachAlgorithmAndReadsTheClaims() async throws {
        let keys = try await Self.keys.value
        let claims = try Self.verifier().verify(Self.hs256(), now: Self.now)
        #expect(claims.subject == "svc" && claims.scopes == ["messages:send", "stats:read"])
        let rsa = try PublicKey(pem: keys.rsaPublic)
        #expect(try await Self.verifier(key: rsa).verify(Self.signed("RS256", key: keys.rsaPrivate), now: Self.now).subject == "svc")
        let ec = try PublicKey(pem: keys.ecPublic)
        #expect(ec.kind == .ecP256)
        #expect(try await Self.verifier(secret: false, key: ec).verify(Self.signed("ES256", key: keys.ecPrivate), now: Self.now).subject == "svc")
    }

    @Test func refusesAlgNoneAndAlgorithmConfusion() async throws {
        let keys = try await Self.keys.value
        let rsa = try PublicKey(pem: keys.rsaPublic)
        let verifier = try Self.verifier(secret: false, key: rsa)
        let none = Self.base64URL(#"{"alg":"none"}"#.utf8) + "." + Self.base64URL(Self.claims().utf8)
        #expect(Self.refusal(verifier, none + ".")?.code == .malformed)
        #expect(Self.refusal(verifier, none + ".AAAA")?.code == .unsupportedAlgorithm)
        // HS256 "signed" with the public key's PEM: no secret here, so HS256 is refused outright…
        let confused = Self.hs256(key: Array(keys.rsaPublic.utf8))
        #expect(Self.refusal(verifier, confused)?.code == .unsupportedAlgorithm)
        // …and with a secret, checked against the secret, which it fails.
        #expect(Self.refusal(try Self.verifier(key: rsa), confused)?.code == .badSignature)
        // An RS256 token where only a secret is configured; an ES256 token for an RSA key.
        #expect(Self.refusal(try Self.verifier(), try await Self.signed("RS256", key: keys.rsaPrivate))?.code == .unsupportedAlgorithm)
        #expect(Self.refusal(verifier, try await Self.signed("ES256", key: keys.ecPrivate))?.code == .unsupportedAlgorithm)
        #expect(Self.refusal(verifier, Self.hs256(header: #"{"alg":"HS512"}"#))?.code == .unsupportedAlgorithm)
    }

    @Test func keyIDs() throws {
        #expect(Self.refusal(try Self.verifier(), Self.hs256(header: #"{"alg":"HS256","kid":"k1"}"#))?.code == .unknownKey)
        #expect(Self.refusal(try Self.verifier(keyID: "k1"), Self.hs256(header: #"{"alg":"HS256","kid":"k2"}"#))?.code == .unknownKey)
        #expect(try Self.verifier(keyID: "k1").verify(Self.hs256(header: #"{"alg":"HS256","kid":"k1"}"#), now: Self.now).subject == "svc")
    }

    @Test func refusesMangledTokens() throws {
        let verifier = try Self.verifier()
        let good = Self.hs256()
        #expect(Self.refusal(verifier, String(good.dropLast(3)))?.code == .badSignature)
        #expect(Self.refusal(verifier, String(good.dropLast(1)))?.code != nil)
        #expect(Self.refusal(verifier, good.split(separator: ".").prefix(2).joined(separator: "."))?.code == .malformed)
        #expect(Self.refusal(verifier, good + "=")?.code == .malformed)
        #expect(Self.refusal(verifier, good + "==")?.code == .malformed)
        #expect(Self.refusal(verifier, " " + good)?.code == .malformed)
        #expect(Self.refusal(verifier, good + ".x")?.code == .malformed)
        var flipped = Array(good.utf8)
        flipped[flipped.count - 5] = flipped[flipped.count - 5] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(Self.refusal(verifier, String(decoding: flipped, as: UTF8.self))?.code == .badSignature)
        #expect(Self.refusal(verifier, String(repeating: "a", count: 10_000))?.code == .malformed)
        #expect(Self.refusal(verifier, "")?.code == .malformed)
    }

    @Test func timeClaimsWithLeeway() throws {
        let verifier = try Self.verifier()
        #expect(try verifier.verify(Self.hs256(Self.claims(exp: "1799999941")), now: Self.now).subject == "svc", "59 s late is within the leeway")
        #expect(Self.refusal(verifier, Self.hs256(Self.claims(exp: "1799999939")))?.code == .expired)
        #expect(Self.refusal(verifier, Self.hs256(Self.claims(extra: #","nbf":1800000061"#)))?.code == .notYetValid)
        #expect(try verifier.verify(Self.hs256(Self.claims(extra: #","nbf":1800000059"#)), now: Self.now).subject == "svc")
        #expect(Self.refusal(verifier, Self.hs256(Self.claims(extra: #","iat":1800000100"#)))?.code == .notYetValid)
        #expect(Self.refusal(verifier, Self.hs256(#"{"sub":"svc"}"#))?.code == .missingClaim)
        #expect(Self.refusal(verifier, Self.hs256(Self.claims(exp: #""1800000300""#)))?.code == .malformed)
        #expect(Self.refusal(verifier, Self.hs256(Self.claims(exp: "1e300")))?.code == .malformed)
        #expect(Self.refusal(verifier, Self.hs256(Self.claims(exp: "true")))?.code == .malformed)
    }

    @Test func issuerAndAudience() throws {
        let verifier = try Self.verifier(issuer: "uk-auth", audience: "gateway")
        #expect(Self.refusal(verifier, Self.hs256(Self.claims(extra: #","iss":"uk-auth","aud":"other""#)))?.code == .wrongAudience)
        #expect(Self.refusal(verifier, Self.hs256(Self.claims(extra: #","iss":"else","aud":"gateway""#)))?.code == .wrongIssuer)
        #expect(try verifier.verify(Self.hs256(Self.claims(extra: #","iss":"uk-auth","aud":["x","gateway"]"#)), now: Self.now).audience == ["x", "gateway"])
    }

    @Test func configurationAndKeys() async throws {
        let keys = try await Self.keys.value
        #expect(throws: JWTError.self) { try JWTVerifier(configuration: .init()) }
        #expect(throws: JWTError.self) { try JWTVerifier(configuration: .init(hmacSecret: Array("short".utf8))) }
        #expect(throws: OpenSSLTLSError.self) { try PublicKey(pem: keys.p384Public) }
        #expect(throws: OpenSSLTLSError.self) { try PublicKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n") }
        #expect(throws: OpenSSLTLSError.self) { try PublicKey(pem: keys.rsaPrivate) }
    }
}

/// Keys made by the `openssl` command in a temporary folder, and signing with them.
struct TestKeys {
    let folder: URL
    let rsaPrivate: String
    let rsaPublic: String
    let ecPrivate: String
    let ecPublic: String
    let p384Public: String

    init() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("jwt-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.folder = folder
        func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
        try await OpenSSLCommand.run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", path("rsa.pem")])
        try await OpenSSLCommand.run(["pkey", "-in", path("rsa.pem"), "-pubout", "-out", path("rsa.pub")])
        try await OpenSSLCommand.run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", path("ec.pem")])
        try await OpenSSLCommand.run(["pkey", "-in", path("ec.pem"), "-pubout", "-out", path("ec.pub")])
        try await OpenSSLCommand.run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", path("p384.pem")])
        try await OpenSSLCommand.run(["pkey", "-in", path("p384.pem"), "-pubout", "-out", path("p384.pub")])
        self.rsaPrivate = path("rsa.pem")
        self.ecPrivate = path("ec.pem")
        self.rsaPublic = try String(contentsOfFile: path("rsa.pub"), encoding: .utf8)
        self.ecPublic = try String(contentsOfFile: path("ec.pub"), encoding: .utf8)
        self.p384Public = try String(contentsOfFile: path("p384.pub"), encoding: .utf8)
    }

    /// `message` signed with SHA-256 by the key in `keyFile`; for ECDSA, as JOSE's raw `r || s`.
    func sign(_ message: [UInt8], keyFile: String, raw: Bool) async throws -> [UInt8] {
        let input = self.folder.appendingPathComponent("in-\(UUID().uuidString)")
        let output = self.folder.appendingPathComponent("out-\(UUID().uuidString)")
        try Data(message).write(to: input)
        try await OpenSSLCommand.run(["dgst", "-sha256", "-sign", keyFile, "-out", output.path, input.path])
        let der = Array(try Data(contentsOf: output))
        return raw ? Self.raw(der) : der
    }

    /// DER `SEQUENCE { INTEGER r, INTEGER s }` to 32-byte `r` and `s`.
    static func raw(_ der: [UInt8]) -> [UInt8] {
        var index = 2
        func integer() -> [UInt8] {
            let length = Int(der[index + 1])
            let bytes = Array(der[(index + 2)..<(index + 2 + length)].drop { $0 == 0 })
            index += 2 + length
            return Array(repeating: 0, count: 32 - bytes.count) + bytes
        }
        return integer() + integer()
    }
}
