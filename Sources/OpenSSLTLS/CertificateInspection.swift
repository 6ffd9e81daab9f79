import COpenSSL
public import Foundation

/// What `bot-gateway doctor` reports of a certificate file: which certificate leads it, until
/// when it is valid, and whether it covers the host Telegram is told to call.
public struct CertificateInspection: Sendable {
    /// The leaf's subject, issuer, serial and validity as text.
    public let summary: CertificateSummary
    /// When the leaf stops being valid.
    public let expires: Date
    /// When the leaf starts being valid.
    public let starts: Date
    /// Whether the leaf names `host` (a DNS name, wildcards as TLS clients match them, or an IP
    /// address in its subjectAltName); nil when no host was asked about.
    public let coversHost: Bool?

    /// Reads the chain in `path` and looks at its first certificate.
    ///
    /// - Parameter host: The host (name or address) the certificate should cover, such as the
    ///   webhook URL's.
    /// - Throws: ``OpenSSLTLSError`` naming the file when it holds no valid PEM certificate.
    public static func inspect(certificateFile path: String, host: String?) throws -> CertificateInspection {
        guard let leaf = try X509Certificate.readChain(from: path).first else {
            throw OpenSSLTLSError(code: .invalidCertificate, message: "no certificate in '\(path)'")
        }
        return CertificateInspection(
            summary: leaf.summary,
            expires: Self.date(X509_get0_notAfter(leaf.certificate)),
            starts: Self.date(X509_get0_notBefore(leaf.certificate)),
            coversHost: host.map { leaf.covers(host: $0) }
        )
    }

    /// An ASN.1 time as a date, by its distance from now (OpenSSL parses both time formats).
    private static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        var days: Int32 = 0
        var seconds: Int32 = 0
        guard let time, ASN1_TIME_diff(&days, &seconds, nil, time) == 1 else { return .distantPast }
        return Date(timeIntervalSinceNow: TimeInterval(days) * 86_400 + TimeInterval(seconds))
    }
}

extension X509Certificate {
    /// Whether the certificate is good for `host`: an IP address must be in its subjectAltName,
    /// a name must match a DNS entry (or, without any, the common name), wildcards included.
    func covers(host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.contains(":") || bare.split(separator: ".").allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) {
            return X509_check_ip_asc(self.certificate, bare, 0) == 1
        }
        return X509_check_host(self.certificate, bare, bare.utf8.count, 0, nil) == 1
    }
}
