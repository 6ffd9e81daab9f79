import COpenSSL

/// A public key for checking signatures (RS256 and ES256 JSON Web Tokens):
/// an RSA key of at least 2048 bits or an EC key on P-256, read from PEM.
///
/// `@unchecked Sendable`: the `EVP_PKEY` is never changed after it is read,
/// and OpenSSL 3 allows one key in concurrent verifications.
public final class PublicKey: @unchecked Sendable {
    /// What kind of key this is.
    public enum Kind: Sendable, Hashable {
        case rsa(bits: Int)
        case ecP256
    }

    public let kind: Kind
    private let key: OpaquePointer

    /// Reads the first `PUBLIC KEY` (SubjectPublicKeyInfo) in `pem`.
    /// - Throws: ``OpenSSLTLSError`` (`invalidConfiguration`) for anything
    ///   else: no key, a key too weak, a curve other than P-256.
    public init(pem: String) throws(OpenSSLTLSError) {
        OpenSSLErrorQueue.clear()
        let bytes = Array(pem.utf8)
        let read: OpaquePointer? = bytes.withUnsafeBytes { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PUBKEY(bio, nil, nil, nil)
        }
        guard let key = read else {
            throw OpenSSLTLSError.fromQueue(.invalidConfiguration, "no PEM public key (-----BEGIN PUBLIC KEY-----) found")
        }
        if EVP_PKEY_is_a(key, "RSA") == 1 {
            let bits = Int(EVP_PKEY_get_bits(key))
            guard bits >= 2048 else {
                EVP_PKEY_free(key)
                throw OpenSSLTLSError(code: .invalidConfiguration, message: "an RSA key of \(bits) bits is too weak; use 2048 or more")
            }
            self.kind = .rsa(bits: bits)
        } else if EVP_PKEY_is_a(key, "EC") == 1 {
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            let named = EVP_PKEY_get_group_name(key, &name, name.count, &length) == 1
            let group = named ? String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self) : "unknown"
            guard group == "prime256v1" || group == "P-256" else {
                EVP_PKEY_free(key)
                throw OpenSSLTLSError(code: .invalidConfiguration, message: "an EC key on \(group); ES256 needs P-256")
            }
            self.kind = .ecP256
        } else {
            EVP_PKEY_free(key)
            throw OpenSSLTLSError(code: .invalidConfiguration, message: "the key is neither RSA nor EC")
        }
        self.key = key
    }

    deinit {
        EVP_PKEY_free(self.key)
    }

    /// Whether `signature` signs `message` with SHA-256: RSASSA-PKCS1-v1_5 for
    /// an RSA key (RS256); ECDSA for a P-256 key, given as JOSE's 64 bytes
    /// `r || s` (ES256), which OpenSSL wants as DER.
    public func verifySHA256(signature: [UInt8], message: some Collection<UInt8>) -> Bool {
        var signature = signature
        if case .ecP256 = self.kind {
            guard signature.count == 64 else { return false }
            signature = Self.der(r: signature[0..<32], s: signature[32..<64])
        }
        guard !signature.isEmpty, let context = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(context) }
        OpenSSLErrorQueue.clear()
        guard EVP_DigestVerifyInit(context, nil, EVP_sha256(), nil, self.key) == 1 else {
            OpenSSLErrorQueue.clear()
            return false
        }
        let message = Array(message)
        let verified = signature.withUnsafeBufferPointer { signatureBuffer in
            message.withUnsafeBufferPointer { messageBuffer in
                EVP_DigestVerify(context, signatureBuffer.baseAddress, signatureBuffer.count, messageBuffer.baseAddress, messageBuffer.count)
            }
        }
        // A refusal queues OpenSSL's reason; it says nothing a caller needs.
        OpenSSLErrorQueue.clear()
        return verified == 1
    }

    /// `SEQUENCE { INTEGER r, INTEGER s }`: each integer without leading zero
    /// bytes, with one added back when its top bit is set (it would read as negative).
    static func der(r: ArraySlice<UInt8>, s: ArraySlice<UInt8>) -> [UInt8] {
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var value = Array(bytes.drop { $0 == 0 })
            if value.isEmpty { value = [0] }
            if value[0] & 0x80 != 0 { value.insert(0, at: 0) }
            return [0x02, UInt8(value.count)] + value
        }
        let body = integer(r) + integer(s)
        return [0x30, UInt8(body.count)] + body
    }
}
