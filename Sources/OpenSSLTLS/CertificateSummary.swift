/// What an operator needs to know about a served certificate: which one it
/// is and how long it lasts.
public struct CertificateSummary: Sendable, Hashable, CustomStringConvertible {
    /// The subject in RFC 2253 form, e.g. `CN=example.org`.
    public let subject: String
    /// The issuer in RFC 2253 form.
    public let issuer: String
    /// Whether the certificate is signed by its own key. Telegram must be
    /// sent such a certificate with `setWebhook`, since no CA vouches for it.
    public let isSelfSigned: Bool
    /// The serial number in upper-case hex, as `openssl x509 -serial` prints it.
    public let serialNumber: String
    /// Start of validity, as OpenSSL prints an ASN.1 time.
    public let notBefore: String
    /// End of validity, as OpenSSL prints an ASN.1 time.
    public let notAfter: String

    public var description: String {
        "\(self.subject) serial \(self.serialNumber), valid until \(self.notAfter)"
    }
}
