import COpenSSL

#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private key and a self-signed certificate for one host, generated with
/// OpenSSL, in PEM.
///
/// The certificate names the host in its subject and in a subjectAltName:
/// `IP:` for an IPv4 or IPv6 address, `DNS:` otherwise. Telegram rejects a
/// self-signed webhook certificate for an IP address that lacks the IP entry.
public struct SelfSignedCertificate: Sendable {
    /// The key algorithm.
    public enum KeyType: Sendable {
        /// ECDSA on P-256: small and fast.
        case ecdsaP256
        /// RSA with a 2048-bit modulus, for clients without ECDSA.
        case rsa2048
    }

    /// File names used by ``write(toDirectory:)``.
    public static let certificateFileName = "certificate.pem"
    /// File names used by ``write(toDirectory:)``.
    public static let privateKeyFileName = "private-key.pem"

    /// The certificate in PEM.
    public let certificatePEM: String
    /// The unencrypted PKCS#8 private key in PEM.
    public let privateKeyPEM: String

    /// Generates a key and a certificate signed with it using SHA-256.
    /// - Parameters:
    ///   - host: A DNS name or an IPv4/IPv6 address.
    ///   - keyType: The key algorithm; ECDSA P-256 by default.
    ///   - notBefore: Start of validity; a minute ago by default, to allow for clock skew.
    ///   - notAfter: End of validity; a year from now by default.
    /// - Throws: ``OpenSSLTLSError`` with code `.certificateGeneration`.
    public init(
        host: String,
        keyType: KeyType = .ecdsaP256,
        notBefore: Date = Date(timeIntervalSinceNow: -60),
        notAfter: Date = Date(timeIntervalSinceNow: 365 * 24 * 3600)
    ) throws {
        guard !host.isEmpty, host.utf8.count <= 253 else {
            throw OpenSSLTLSError(code: .certificateGeneration, message: "host '\(host)' is not a valid DNS name or IP address")
        }
        let key = try PrivateKey.generate(keyType == .ecdsaP256 ? .ecP256 : .rsa2048)
        let certificate = try Self.makeCertificate(host: host, key: key, notBefore: notBefore, notAfter: notAfter)
        self.certificatePEM = try certificate.pem()
        self.privateKeyPEM = try key.pem()
    }

    /// Writes ``certificateFileName`` and ``privateKeyFileName`` into
    /// `directory`, creating it if needed. The key file is created with mode
    /// 0600, so it is never readable by others, not even briefly.
    /// - Returns: The certificate and key paths, ready for ``TLSConfiguration``.
    @discardableResult
    public func write(toDirectory directory: String) throws -> (certificateFile: String, privateKeyFile: String) {
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw OpenSSLTLSError(code: .fileWrite, message: "cannot create directory '\(directory)': \(PEMFile.errnoText())")
        }
        let certificateFile = directory + "/" + Self.certificateFileName
        let privateKeyFile = directory + "/" + Self.privateKeyFileName
        try PEMFile.create(privateKeyFile, contents: self.privateKeyPEM, mode: 0o600)
        try PEMFile.create(certificateFile, contents: self.certificatePEM, mode: 0o644)
        return (certificateFile, privateKeyFile)
    }

    private static func makeCertificate(host: String, key: PrivateKey, notBefore: Date, notAfter: Date) throws -> X509Certificate {
        OpenSSLErrorQueue.clear()
        guard let handle = X509_new() else {
            throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot allocate a certificate")
        }
        let certificate = X509Certificate(taking: handle)
        let x509 = certificate.certificate

        var serial: UInt64 = 0
        let serialFilled = withUnsafeMutableBytes(of: &serial) { RAND_bytes($0.baseAddress, Int32($0.count)) }
        // Serial numbers must be positive: clear the top bit.
        serial &= UInt64.max >> 1
        guard serialFilled == 1,
            X509_set_version(x509, Int(X509_VERSION_3)) == 1,
            ASN1_INTEGER_set_uint64(X509_get_serialNumber(x509), serial) == 1,
            ASN1_TIME_set(X509_getm_notBefore(x509), time_t(notBefore.timeIntervalSince1970)) != nil,
            ASN1_TIME_set(X509_getm_notAfter(x509), time_t(notAfter.timeIntervalSince1970)) != nil,
            X509_set_pubkey(x509, key.key) == 1
        else {
            throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot fill in the certificate for '\(host)'")
        }

        let name = X509_get_subject_name(x509)
        let nameSet = host.withCString { value in
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, value, -1, -1, 0)
        }
        guard nameSet == 1, X509_set_issuer_name(x509, name) == 1 else {
            throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot set the subject to '\(host)'")
        }

        let alternativeName = (Self.isIPAddress(host) ? "IP:" : "DNS:") + host
        // What `openssl req -x509` adds, so clients that pin this certificate
        // with --cacert accept it as its own trust anchor.
        let extensions: [(Int32, String)] = [
            (NID_basic_constraints, "critical,CA:TRUE"),
            (NID_subject_key_identifier, "hash"),
            (NID_authority_key_identifier, "keyid:always"),
            (NID_subject_alt_name, alternativeName),
        ]
        var v3Context = X509V3_CTX()
        X509V3_set_ctx(&v3Context, x509, x509, nil, nil, 0)
        for (nid, value) in extensions {
            guard let x509Extension = X509V3_EXT_conf_nid(nil, &v3Context, nid, value) else {
                throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot build extension '\(value)'")
            }
            defer { X509_EXTENSION_free(x509Extension) }
            guard X509_add_ext(x509, x509Extension, -1) == 1 else {
                throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot add extension '\(value)'")
            }
        }

        guard X509_sign(x509, key.key, EVP_sha256()) > 0 else {
            throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot sign the certificate for '\(host)'")
        }
        return certificate
    }

    private static func isIPAddress(_ host: String) -> Bool {
        var address = in6_addr()
        return inet_pton(AF_INET, host, &address) == 1 || inet_pton(AF_INET6, host, &address) == 1
    }
}
