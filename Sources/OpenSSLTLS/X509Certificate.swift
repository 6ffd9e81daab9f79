import COpenSSL

/// Owns an OpenSSL `X509` and frees it in deinit. Used on one thread at a
/// time, so not Sendable.
final class X509Certificate {
    let certificate: OpaquePointer

    init(taking certificate: OpaquePointer) {
        self.certificate = certificate
    }

    deinit {
        X509_free(self.certificate)
    }

    /// Reads every PEM certificate in `path`, leaf first, then intermediates.
    /// Fails naming the file when it is unreadable or holds no certificate.
    static func readChain(from path: String) throws -> [X509Certificate] {
        let file = try MemoryBIO(readingFile: path, role: "certificate")
        var chain: [X509Certificate] = []
        OpenSSLErrorQueue.clear()
        while let certificate = PEM_read_bio_X509(file.bio, nil, nil, nil) {
            chain.append(X509Certificate(taking: certificate))
        }
        // The loop ends on "no start line" at end of input; any other queued
        // error means a block that looked like PEM but did not parse.
        let endOfInput = ERR_GET_REASON(ERR_peek_last_error()) == PEM_R_NO_START_LINE
        if chain.isEmpty || !endOfInput {
            throw OpenSSLTLSError.fromQueue(.invalidCertificate, "no valid PEM certificate chain in '\(path)'")
        }
        OpenSSLErrorQueue.clear()
        return chain
    }

    /// Throws when the certificate is expired or not yet valid, naming `path`.
    func checkValidity(file path: String) throws {
        let summary = self.summary
        if X509_cmp_current_time(X509_get0_notAfter(self.certificate)) < 0 {
            throw OpenSSLTLSError(
                code: .certificateExpired,
                message: "certificate in '\(path)' expired on \(summary.notAfter)"
            )
        }
        if X509_cmp_current_time(X509_get0_notBefore(self.certificate)) > 0 {
            throw OpenSSLTLSError(
                code: .certificateNotYetValid,
                message: "certificate in '\(path)' is not valid before \(summary.notBefore)"
            )
        }
    }

    /// Subject, issuer, serial and validity, for logs and checks.
    var summary: CertificateSummary {
        CertificateSummary(
            subject: Self.text { X509_NAME_print_ex($0, X509_get_subject_name(self.certificate), 0, cgw_xn_flag_rfc2253) },
            issuer: Self.text { X509_NAME_print_ex($0, X509_get_issuer_name(self.certificate), 0, cgw_xn_flag_rfc2253) },
            // Signed by its own key, not merely named after itself.
            isSelfSigned: X509_check_issued(self.certificate, self.certificate) == X509_V_OK,
            serialNumber: self.serialNumberHex,
            notBefore: Self.text { ASN1_TIME_print($0, X509_get0_notBefore(self.certificate)) },
            notAfter: Self.text { ASN1_TIME_print($0, X509_get0_notAfter(self.certificate)) }
        )
    }

    /// The certificate as PEM.
    func pem() throws -> String {
        let output = try MemoryBIO()
        OpenSSLErrorQueue.clear()
        guard PEM_write_bio_X509(output.bio, self.certificate) == 1 else {
            throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot encode the certificate as PEM")
        }
        return output.readAll()
    }

    private var serialNumberHex: String {
        guard let number = ASN1_INTEGER_to_BN(X509_get0_serialNumber(self.certificate), nil) else { return "" }
        defer { BN_free(number) }
        guard let hex = BN_bn2hex(number) else { return "" }
        defer { cgw_openssl_free(hex) }
        return String(cString: hex)
    }

    /// Runs an OpenSSL printer into a memory BIO and returns what it wrote.
    private static func text(_ print: (OpaquePointer) -> Int32) -> String {
        guard let output = try? MemoryBIO() else { return "" }
        _ = print(output.bio)
        return output.readAll()
    }
}
