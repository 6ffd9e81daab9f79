import COpenSSL

/// Owns an OpenSSL `EVP_PKEY` and frees it in deinit. Used on one thread at a
/// time, so not Sendable.
final class PrivateKey {
    /// A key algorithm the generator can produce.
    enum Kind {
        case ecP256
        case rsa2048
    }

    let key: OpaquePointer

    private init(taking key: OpaquePointer) {
        self.key = key
    }

    deinit {
        EVP_PKEY_free(self.key)
    }

    /// Reads the first PEM private key (RSA or EC, PKCS#1, SEC1 or PKCS#8)
    /// from `path`; the error names the file.
    static func read(from path: String) throws -> PrivateKey {
        let file = try MemoryBIO(readingFile: path, role: "private key")
        OpenSSLErrorQueue.clear()
        guard let key = PEM_read_bio_PrivateKey(file.bio, nil, nil, nil) else {
            throw OpenSSLTLSError.fromQueue(.invalidPrivateKey, "no PEM private key in '\(path)'")
        }
        return PrivateKey(taking: key)
    }

    /// Generates a fresh key. `EVP_PKEY_Q_keygen` is variadic, which Swift
    /// cannot call, so this takes the explicit context route.
    static func generate(_ kind: Kind) throws -> PrivateKey {
        OpenSSLErrorQueue.clear()
        let algorithm = kind == .ecP256 ? "EC" : "RSA"
        guard let context = EVP_PKEY_CTX_new_from_name(nil, algorithm, nil) else {
            throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot create a \(algorithm) key context")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1 else {
            throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot start \(algorithm) key generation")
        }
        let parameterSet: Int32
        switch kind {
        case .ecP256: parameterSet = EVP_PKEY_CTX_set_group_name(context, "P-256")
        case .rsa2048: parameterSet = EVP_PKEY_CTX_set_rsa_keygen_bits(context, 2048)
        }
        guard parameterSet == 1 else {
            throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot set \(algorithm) key parameters")
        }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(context, &key) == 1, let key else {
            throw OpenSSLTLSError.fromQueue(.certificateGeneration, "\(algorithm) key generation failed")
        }
        return PrivateKey(taking: key)
    }

    /// The key as unencrypted PKCS#8 PEM.
    func pem() throws -> String {
        let output = try MemoryBIO()
        OpenSSLErrorQueue.clear()
        guard PEM_write_bio_PrivateKey(output.bio, self.key, nil, nil, 0, nil, nil) == 1 else {
            throw OpenSSLTLSError.fromQueue(.certificateGeneration, "cannot encode the private key as PEM")
        }
        return output.readAll()
    }
}
